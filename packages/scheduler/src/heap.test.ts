import { describe, expect, it } from 'vitest';
import { type HeapItem, MinHeap } from './heap.js';

interface Item extends HeapItem {
  name: number;
}

describe('MinHeap', () => {
  it('pops in key order through random pushes, removals and re-keys', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const heap = new MinHeap<Item>();
    const live = new Set<Item>();
    for (let step = 0; step < 20_000; step++) {
      const action = random();
      if (action < 0.5 || live.size === 0) {
        const item: Item = { key: Math.floor(random() * 1000), heapIndex: -1, name: step };
        heap.push(item);
        live.add(item);
      } else if (action < 0.7) {
        const victim = [...live][Math.floor(random() * live.size)]!;
        expect(heap.remove(victim)).toBe(true);
        expect(heap.remove(victim)).toBe(false);
        live.delete(victim);
      } else if (action < 0.8) {
        const item = [...live][Math.floor(random() * live.size)]!;
        heap.remove(item);
        item.key = Math.floor(random() * 1000);
        heap.push(item);
      } else {
        const smallest = Math.min(...[...live].map((item) => item.key));
        const top = heap.pop()!;
        expect(top.key).toBe(smallest);
        expect(heap.has(top)).toBe(false);
        live.delete(top);
      }
      expect(heap.size).toBe(live.size);
    }
    const keys: number[] = [];
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) keys.push(item.key);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    expect(keys.length).toBe(live.size);
  });
});
