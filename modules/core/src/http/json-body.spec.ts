import { describe, expect, it } from 'vitest';
import { jsonDepth } from './json-body.js';

describe('jsonDepth', () => {
  it('counts object and array nesting outside strings', () => {
    expect(jsonDepth('1', 32)).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":2}]}', 32)).toBe(3);
    expect(jsonDepth('{"a":"[[[[{{{{"}', 32)).toBe(1);
    expect(jsonDepth('{"a":"quote \\" [[[ "}', 32)).toBe(1);
  });

  it('stops as soon as the limit is passed', () => {
    expect(jsonDepth('['.repeat(1_000_000), 32)).toBe(33);
  });
});
