/** An element of a `MinHeap`: ordered by `key`, knows its own position so it can be removed in O(log n). */
export interface HeapItem {
  key: number;
  heapIndex: number;
}

/** A binary min-heap keyed by `key`, with removal and re-keying of arbitrary items. */
export class MinHeap<T extends HeapItem> {
  // NOTE: the array never shrinks (slots past `length` are cleared, not dropped): a wake that
  // pops 1,000 jobs and pushes them back would otherwise reallocate it a dozen times.
  private readonly items: Array<T | undefined> = [];
  private length = 0;

  get size(): number {
    return this.length;
  }

  peek(): T | undefined {
    return this.length === 0 ? undefined : this.items[0];
  }

  push(item: T): void {
    item.heapIndex = this.length;
    this.items[this.length++] = item;
    this.up(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.peek();
    if (top !== undefined) this.removeAt(0);
    return top;
  }

  /**
   * Pops every item whose key is at most `limit` into `into` from index 0, smallest key first;
   * returns how many. Slots of `into` past that count are left as they were.
   */
  drain(limit: number, into: Array<T | undefined>): number {
    const items = this.items;
    let count = 0;
    while (this.length > 0 && items[0]!.key <= limit) {
      const top = items[0]!;
      top.heapIndex = -1;
      into[count++] = top;
      // The root's removal, inlined: the last item takes its place and sinks.
      const lastIndex = --this.length;
      const last = items[lastIndex]!;
      items[lastIndex] = undefined;
      if (lastIndex > 0) {
        items[0] = last;
        last.heapIndex = 0;
        this.down(0);
      }
    }
    return count;
  }

  remove(item: T): boolean {
    const index = item.heapIndex;
    if (index < 0 || index >= this.length || this.items[index] !== item) return false;
    this.removeAt(index);
    return true;
  }

  has(item: T): boolean {
    return item.heapIndex >= 0 && item.heapIndex < this.length && this.items[item.heapIndex] === item;
  }

  private removeAt(index: number): void {
    const items = this.items;
    const removed = items[index]!;
    const lastIndex = --this.length;
    const last = items[lastIndex]!;
    items[lastIndex] = undefined;
    removed.heapIndex = -1;
    if (index === lastIndex) return;
    items[index] = last;
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
    const length = this.length;
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
