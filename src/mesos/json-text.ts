/**
 * A JSON parser that keeps numbers as their source text, so 64-bit integers (TimeInfo
 * nanoseconds are about 1.7e18, far above 2^53) survive until the schema says what they are.
 * It also accepts the bare `Infinity`, `-Infinity` and `NaN` tokens that Mesos's rapidjson
 * writer emits for non-finite doubles. Errors name the offset of the offending character.
 */
import { CodecError } from './errors.ts';

export type JsonNode =
  | { kind: 'object'; entries: [string, JsonNode][] }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

export function parseJsonText(text: string): JsonNode {
  const parser = new Parser(text);
  parser.skipSpace();
  const node = parser.value(0);
  parser.skipSpace();
  if (parser.pos < text.length) parser.fail('Unexpected trailing content');
  return node;
}

const maxDepth = 512;
const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(what: string): never {
    const at = this.pos < this.text.length ? ` '${this.text[this.pos]}'` : ' end of input';
    throw new CodecError(`${what} at offset ${this.pos} (found${at})`);
  }

  skipSpace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
    this.pos = pos;
  }

  value(depth: number): JsonNode {
    if (depth > maxDepth) this.fail('JSON nested too deeply');
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return { kind: 'string', value: this.string() };
      case 't':
        return this.literal('true', { kind: 'boolean', value: true });
      case 'f':
        return this.literal('false', { kind: 'boolean', value: false });
      case 'n':
        return this.literal('null', { kind: 'null' });
      case 'I':
        return this.literal('Infinity', { kind: 'number', text: 'Infinity' });
      case 'N':
        return this.literal('NaN', { kind: 'number', text: 'NaN' });
      default:
        if (this.text.startsWith('-Infinity', this.pos)) {
          return this.literal('-Infinity', { kind: 'number', text: '-Infinity' });
        }
        return this.number();
    }
  }

  private literal(word: string, node: JsonNode): JsonNode {
    if (!this.text.startsWith(word, this.pos)) this.fail('Unexpected token');
    this.pos += word.length;
    return node;
  }

  private number(): JsonNode {
    numberPattern.lastIndex = this.pos;
    const match = numberPattern.exec(this.text);
    if (!match || match[0].length === 0) this.fail('Unexpected token');
    this.pos += match[0].length;
    return { kind: 'number', text: match[0] };
  }

  private string(): string {
    const text = this.text;
    const start = this.pos + 1;
    let pos = start;
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c)) {
        this.pos = pos;
        this.fail('Unterminated string');
      }
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        pos += 2;
        continue;
      }
      if (c < 0x20) {
        this.pos = pos;
        this.fail('Control character in string');
      }
      pos++;
    }
    this.pos = pos + 1;
    if (!escaped) return text.slice(start, pos);
    try {
      return JSON.parse(text.slice(start - 1, pos + 1)) as string;
    } catch {
      this.pos = start - 1;
      this.fail('Invalid escape in string');
    }
  }

  private object(depth: number): JsonNode {
    const entries: [string, JsonNode][] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', entries };
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail('Expected a string key');
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail("Expected ':'");
      this.pos++;
      this.skipSpace();
      entries.push([key, this.value(depth + 1)]);
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return { kind: 'object', entries };
      if (c !== ',') {
        this.pos--;
        this.fail("Expected ',' or '}'");
      }
      this.skipSpace();
    }
  }

  private array(depth: number): JsonNode {
    const items: JsonNode[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return { kind: 'array', items };
      if (c !== ',') {
        this.pos--;
        this.fail("Expected ',' or ']'");
      }
      this.skipSpace();
    }
  }
}
