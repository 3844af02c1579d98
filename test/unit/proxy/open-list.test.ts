/** The proxy's list of exchanges under way (src/proxy/open-list.ts), which a shutdown cuts. */
import assert from 'node:assert/strict';
import { OpenList, type Linked } from '../../../src/proxy/open-list';

class Item implements Linked<Item> {
  newer: Item | undefined;
  older: Item | undefined;
  constructor(readonly name: string) {}
}

const names = (list: OpenList<Item>) => [...list].map((i) => i.name);

describe('proxy: the list of open exchanges', () => {
  it('lists what is under way newest first, whichever end or middle leaves', () => {
    const list = new OpenList<Item>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => new Item(n)) as [Item, Item, Item, Item];
    for (const i of [a, b, c, d]) list.add(i);
    assert.deepEqual(names(list), ['d', 'c', 'b', 'a']);
    list.delete(b);
    assert.deepEqual(names(list), ['d', 'c', 'a']);
    list.delete(d);
    assert.deepEqual(names(list), ['c', 'a']);
    list.delete(a);
    assert.deepEqual(names(list), ['c']);
    list.add(b);
    assert.deepEqual(names(list), ['b', 'c']);
    list.delete(c);
    list.delete(b);
    assert.deepEqual(names(list), []);
  });

  it('leaves an item that ended holding no other, and ignores one deleted twice or never added', () => {
    const list = new OpenList<Item>();
    const [a, b, c] = ['a', 'b', 'c'].map((n) => new Item(n)) as [Item, Item, Item];
    for (const i of [a, b, c]) list.add(i);
    list.delete(b);
    assert.equal(b.newer, undefined);
    assert.equal(b.older, undefined);
    list.delete(b);
    list.delete(new Item('stranger'));
    assert.deepEqual(names(list), ['c', 'a']);
  });

  it('visits every item under way when visiting one ends others', () => {
    const list = new OpenList<Item>();
    const items = ['a', 'b', 'c', 'd'].map((n) => new Item(n));
    for (const i of items) list.add(i);
    const visited: string[] = [];
    for (const item of list) {
      visited.push(item.name);
      for (const other of items) list.delete(other); // a shutdown's cut ending them all at once
    }
    assert.deepEqual(visited, ['d', 'c', 'b', 'a']);
    assert.deepEqual(names(list), []);
  });
});
