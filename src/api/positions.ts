/**
 * Where each field of a parsed YAML or JSON document sits in its file: a map from field path to
 * line and column (1-based) of the field's key and of its value. Built once per document while
 * loading; lookups fall back to the nearest enclosing field, so every problem gets a position
 * even when it concerns a field that is missing from the file.
 */
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';
import { formatPath } from './field-path.ts';
import type { FieldPath, PathSegment } from './field-path.ts';

export interface Position {
  line: number;
  column: number;
}

interface FieldPositions {
  key?: Position;
  value: Position;
}

export class SourcePositions {
  private readonly fields = new Map<string, FieldPositions>();

  /** Records the positions of every field of `doc`. */
  static fromDocument(doc: Document, lineCounter: LineCounter): SourcePositions {
    const positions = new SourcePositions();
    const at = (offset: number): Position => {
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    };
    const start = doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0;
    positions.fields.set('', { value: at(start) });
    const visit = (node: Node | null | undefined, path: PathSegment[]): void => {
      if (isMap(node)) {
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const keyNode = pair.key as Node | null;
          const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
          const childPath = [...path, key];
          const keyPos = keyNode?.range ? at(keyNode.range[0]) : undefined;
          const valueNode = pair.value as Node | null;
          const valuePos = valueNode?.range ? at(valueNode.range[0]) : keyPos;
          if (valuePos) positions.record(childPath, { key: keyPos, value: valuePos });
          visit(valueNode, childPath);
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, index) => {
          const itemNode = item as Node | null;
          if (itemNode?.range) positions.record([...path, index], { value: at(itemNode.range[0]) });
          visit(itemNode, [...path, index]);
        });
      }
    };
    visit(doc.contents as Node | null, []);
    return positions;
  }

  /** Where the value at `path` starts, or its nearest recorded ancestor's value. */
  valueAt(path: FieldPath): Position | undefined {
    return this.nearest(path)?.value;
  }

  /** Where the key of the field at `path` is (the value for list items), or the nearest ancestor. */
  keyAt(path: FieldPath): Position | undefined {
    const found = this.nearest(path);
    return found?.key ?? found?.value;
  }

  private record(path: FieldPath, where: FieldPositions): void {
    this.fields.set(formatPath(path), where);
  }

  private nearest(path: FieldPath): FieldPositions | undefined {
    for (let length = path.length; length >= 0; length--) {
      const found = this.fields.get(formatPath(path.slice(0, length)));
      if (found) return found;
    }
    return undefined;
  }
}
