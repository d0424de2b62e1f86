import { describe, expect, it } from 'vitest';
import { type HeapItem, MinHeap } from './heap.js';

interface Item extends HeapItem {
  name: string;
}

const item = (name: string, key: number): Item => ({ name, key, heapIndex: -1 });

describe('MinHeap.drain', () => {
  it('takes every item due by the limit, smallest key first, and leaves a valid heap of the rest', () => {
    const heap = new MinHeap<Item>();
    const items = [5, 1, 9, 3, 3, 7, 2, 8].map((key, index) => item(`i${index}`, key));
    for (const each of items) heap.push(each);
    const into: Array<Item | undefined> = [];
    const count = heap.drain(3, into);
    expect(count).toBe(4);
    expect(into.slice(0, count).map((each) => each!.key)).toEqual([1, 2, 3, 3]);
    expect(into.slice(0, count).every((each) => each!.heapIndex === -1 && !heap.has(each!))).toBe(true);
    expect(heap.size).toBe(4);
    const rest: number[] = [];
    for (let top = heap.pop(); top !== undefined; top = heap.pop()) rest.push(top.key);
    expect(rest).toEqual([5, 7, 8, 9]);
  });

  it('writes from index 0 of a reused array and reports none when nothing is due', () => {
    const heap = new MinHeap<Item>();
    const into: Array<Item | undefined> = [item('stale', 0), item('stale', 0)];
    heap.push(item('a', 10));
    expect(heap.drain(9, into)).toBe(0);
    expect(heap.drain(10, into)).toBe(1);
    expect(into[0]!.name).toBe('a');
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
  });

  it('drains 1,000 equal keys and takes them all back, through many rounds', () => {
    const heap = new MinHeap<Item>();
    const all = Array.from({ length: 1000 }, (_, index) => item(`j${index}`, 1000));
    for (const each of all) heap.push(each);
    const into: Array<Item | undefined> = [];
    for (let round = 1; round <= 5; round++) {
      const count = heap.drain(round * 1000, into);
      expect(count).toBe(1000);
      expect(new Set(into.slice(0, count)).size).toBe(1000);
      for (let index = 0; index < count; index++) {
        const each = into[index]!;
        each.key = (round + 1) * 1000;
        heap.push(each);
      }
      expect(heap.size).toBe(1000);
    }
    expect(all.every((each) => heap.has(each))).toBe(true);
    expect(heap.remove(all[500]!)).toBe(true);
    expect(heap.remove(all[500]!)).toBe(false);
    expect(heap.size).toBe(999);
  });
});
