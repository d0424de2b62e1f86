/** An element of a `MinHeap`: ordered by `key`, knows its own position so it can be removed in O(log n). */
export interface HeapItem {
  key: number;
  heapIndex: number;
}

/** A binary min-heap keyed by `key`, with removal and re-keying of arbitrary items. */
export class MinHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.removeAt(0);
    return top;
  }

  remove(item: T): boolean {
    const index = item.heapIndex;
    if (index < 0 || this.items[index] !== item) return false;
    this.removeAt(index);
    return true;
  }

  has(item: T): boolean {
    return item.heapIndex >= 0 && this.items[item.heapIndex] === item;
  }

  private removeAt(index: number): void {
    const removed = this.items[index]!;
    const last = this.items.pop()!;
    removed.heapIndex = -1;
    if (index === this.items.length) return;
    this.items[index] = last;
    last.heapIndex = index;
    this.down(index);
    this.up(last.heapIndex);
  }

  private up(start: number): void {
    const items = this.items;
    let index = start;
    const item = items[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex]!;
      if (parent.key <= item.key) break;
      items[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    items[index] = item;
    item.heapIndex = index;
  }

  private down(start: number): void {
    const items = this.items;
    const length = items.length;
    let index = start;
    const item = items[index]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && items[right]!.key < items[left]!.key) child = right;
      const childItem = items[child]!;
      if (childItem.key >= item.key) break;
      items[index] = childItem;
      childItem.heapIndex = index;
      index = child;
    }
    items[index] = item;
    item.heapIndex = index;
  }
}
