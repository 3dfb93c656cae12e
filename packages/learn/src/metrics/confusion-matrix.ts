import { envelope, openState, registerCheckpointType } from "../checkpoint.js";
import type { Checkpoint } from "../checkpoint.js";
import { LearnTypeError } from "../errors.js";
import type { StateNode } from "../internal/checkpoint-reader.js";
import { compareLabels, pyStr, thousands } from "../internal/python.js";
import { checkLabel, checkOptions, describe } from "../internal/validate.js";
import type { Label } from "../types.js";
import { printTable } from "./format.js";

/**
 * Options of `ConfusionMatrix`.
 *
 * @example
 * ```ts
 * new ConfusionMatrix({ classes: [0, 1] });
 * ```
 */
export interface ConfusionMatrixOptions {
  /** Initial classes. Like River, only kept for reference: the displayed classes are those seen. */
  classes?: readonly Label[] | undefined;
}

interface ConfusionMatrixState {
  classes: Label[] | null;
  nSamples: number;
  totalWeight: number;
  /** `[yTrue, yPred, weight]` for each non-empty cell, in insertion order. */
  cells: [Label, Label, number][];
  rowSums: [Label, number][];
  colSums: [Label, number][];
}

// Python's dict equality: True == 1 and False == 0 are the same key.
type Key = number | string;
function keyOf(label: Label): Key {
  return typeof label === "boolean" ? (label ? 1 : 0) : label;
}

/**
 * Counts of (true label, predicted label) pairs, as River's `metrics.ConfusionMatrix`. Metrics
 * built with `{ cm }` read this matrix instead of keeping their own, so one update serves them all.
 * Labels compare like Python dictionary keys (`true` is `1`).
 *
 * @example
 * ```ts
 * const cm = new ConfusionMatrix();
 * cm.update("cat", "ant");
 * cm.get("cat", "ant"); // 1
 * String(cm);
 * ```
 */
export class ConfusionMatrix {
  /** The `classes` option, as given. */
  readonly initialClasses: readonly Label[] | undefined;
  /** Number of updates minus reverts. */
  nSamples = 0;
  /** Sum of weights. */
  totalWeight = 0;
  // Dense storage: each distinct key gets an index; cells live in one row array per true label.
  private readonly index = new Map<Key, number>();
  private readonly keys: Key[] = [];
  private rows: Float64Array[] = [];
  private width = 8;
  private readonly rowSums: number[] = [];
  private readonly colSums: number[] = [];
  // Python keeps the first key object a dict saw (True stays True even after updates with 1),
  // and `classes` prefers the row dict's key: these remember both (undefined = not in that dict).
  private readonly rowDisplay: (Label | undefined)[] = [];
  private readonly colDisplay: (Label | undefined)[] = [];
  private classesCache: Label[] | undefined = undefined;

  constructor(options?: ConfusionMatrixOptions) {
    const opts = checkOptions(options, "ConfusionMatrix", ["classes"]);
    const classes = opts["classes"];
    if (classes !== undefined && !Array.isArray(classes)) {
      throw new LearnTypeError(
        `Option "classes" of ConfusionMatrix must be an array of labels; got ${describe(classes)}.`,
      );
    }
    if (classes !== undefined)
      for (const c of classes as unknown[]) checkLabel(c, "ConfusionMatrix", "classes[]");
    this.initialClasses = classes === undefined ? undefined : [...(classes as Label[])];
  }

  /** Adds `weight` to the cell (yTrue, yPred). */
  update(yTrue: Label, yPred: Label, weight = 1.0): this {
    checkLabel(yTrue, "ConfusionMatrix.update", "yTrue");
    checkLabel(yPred, "ConfusionMatrix.update", "yPred");
    if (typeof weight !== "number" || !Number.isFinite(weight)) {
      throw new LearnTypeError(
        `Argument "weight" of ConfusionMatrix.update must be a finite number; got ${describe(weight)}.`,
      );
    }
    this.nSamples += 1;
    this.add(yTrue, yPred, weight);
    return this;
  }

  /** Undoes an `update`. */
  revert(yTrue: Label, yPred: Label, weight = 1.0): this {
    checkLabel(yTrue, "ConfusionMatrix.revert", "yTrue");
    checkLabel(yPred, "ConfusionMatrix.revert", "yPred");
    this.nSamples -= 1;
    this.add(yTrue, yPred, -weight);
    return this;
  }

  private slot(key: Key): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.keys.length;
      this.keys.push(key);
      this.index.set(key, i);
      this.rowSums.push(0);
      this.colSums.push(0);
      this.rowDisplay.push(undefined);
      this.colDisplay.push(undefined);
      if (i >= this.width) {
        this.width *= 2;
        this.rows = this.rows.map((r) => {
          const g = new Float64Array(this.width);
          g.set(r);
          return g;
        });
      }
      this.rows.push(new Float64Array(this.width));
    }
    return i;
  }

  private add(yTrue: Label, yPred: Label, w: number): void {
    const t = this.slot(keyOf(yTrue));
    const p = this.slot(keyOf(yPred));
    if (this.rowDisplay[t] === undefined) this.rowDisplay[t] = yTrue;
    if (this.colDisplay[p] === undefined) this.colDisplay[p] = yPred;
    const row = this.rows[t] as Float64Array;
    row[p] = (row[p] as number) + w;
    this.totalWeight += w;
    const rs = this.rowSums[t] as number;
    const cs = this.colSums[p] as number;
    this.rowSums[t] = rs + w;
    this.colSums[p] = cs + w;
    if ((rs === 0) !== (rs + w === 0) || (cs === 0) !== (cs + w === 0)) this.classesCache = undefined;
  }

  private at(label: Label): number {
    return this.index.get(typeof label === "boolean" ? (label ? 1 : 0) : label) ?? -1;
  }

  /** Weight of the cell (yTrue, yPred). */
  get(yTrue: Label, yPred: Label): number {
    const t = this.at(yTrue);
    const p = this.at(yPred);
    return t < 0 || p < 0 ? 0 : ((this.rows[t] as Float64Array)[p] as number);
  }

  /** Classes with a non-zero row or column sum, sorted as Python sorts them. */
  get classes(): Label[] {
    if (this.classesCache === undefined) {
      const out: Label[] = [];
      for (let i = 0; i < this.keys.length; i++) {
        if (this.rowSums[i] !== 0) out.push(this.rowDisplay[i] as Label);
        else if (this.colSums[i] !== 0) out.push(this.colDisplay[i] as Label);
      }
      this.classesCache = out.sort(compareLabels);
    }
    return [...this.classesCache];
  }

  /** Total weight whose true label is `label`. */
  support(label: Label): number {
    return this.sumRow(label);
  }

  /** Row sum for `label` (true label). */
  sumRow(label: Label): number {
    const i = this.at(label);
    return i < 0 ? 0 : (this.rowSums[i] as number);
  }

  /** Column sum for `label` (predicted label). */
  sumCol(label: Label): number {
    const i = this.at(label);
    return i < 0 ? 0 : (this.colSums[i] as number);
  }

  /** Weight on the diagonal for `label`. */
  truePositives(label: Label): number {
    const i = this.at(label);
    return i < 0 ? 0 : ((this.rows[i] as Float64Array)[i] as number);
  }

  /** Predicted `label` but was something else. */
  falsePositives(label: Label): number {
    const i = this.at(label);
    return i < 0 ? 0 : (this.colSums[i] as number) - ((this.rows[i] as Float64Array)[i] as number);
  }

  /** Was `label` but predicted something else. */
  falseNegatives(label: Label): number {
    const i = this.at(label);
    return i < 0 ? 0 : (this.rowSums[i] as number) - ((this.rows[i] as Float64Array)[i] as number);
  }

  /** Sum of the diagonal over the current classes. */
  get totalTruePositives(): number {
    let s = 0;
    for (const c of this.classes) s += this.get(c, c);
    return s;
  }

  /** River's table: rows are true labels, columns predicted labels, counts with thousands separators. */
  toString(): string {
    const classes = this.classes;
    if (classes.length === 0) return "";
    const headers = ["", ...classes.map(pyStr)];
    const columns: string[][] = [classes.map(pyStr)];
    for (const col of classes) columns.push(classes.map((row) => thousands(Math.trunc(this.get(row, col)))));
    return printTable(headers, columns);
  }

  /** Saves the counts. */
  toJSON(): Checkpoint<ConfusionMatrixState> {
    const cells: [Label, Label, number][] = [];
    const rowSums: [Label, number][] = [];
    const colSums: [Label, number][] = [];
    for (let t = 0; t < this.keys.length; t++) {
      const rd = this.rowDisplay[t];
      if (rd !== undefined) rowSums.push([rd, this.rowSums[t] as number]);
      const cd = this.colDisplay[t];
      if (cd !== undefined) colSums.push([cd, this.colSums[t] as number]);
      if (rd === undefined) continue;
      const row = this.rows[t] as Float64Array;
      for (let p = 0; p < this.keys.length; p++) {
        const w = row[p] as number;
        if (w !== 0) cells.push([rd, this.colDisplay[p] as Label, w]);
      }
    }
    return envelope("ConfusionMatrix", {
      classes: this.initialClasses === undefined ? null : [...this.initialClasses],
      nSamples: this.nSamples,
      totalWeight: this.totalWeight,
      cells,
      rowSums,
      colSums,
    });
  }

  /**
   * Restores a matrix saved with `toJSON`. A damaged checkpoint throws a `LearnError`
   * (`ERR_LEARN_CHECKPOINT`) naming the path of the bad field.
   */
  static fromJSON(json: unknown): ConfusionMatrix {
    const s = readState(openState(json, "ConfusionMatrix"));
    const cm = new ConfusionMatrix(s.classes === null ? undefined : { classes: s.classes });
    // Sums are restored as accumulated (re-adding cells could round differently).
    for (const [k, v] of s.rowSums) {
      const i = cm.slot(keyOf(k));
      cm.rowDisplay[i] = k;
      cm.rowSums[i] = v;
    }
    for (const [k, v] of s.colSums) {
      const i = cm.slot(keyOf(k));
      cm.colDisplay[i] = k;
      cm.colSums[i] = v;
    }
    for (const [t, p, w] of s.cells) {
      const row = cm.rows[cm.slot(keyOf(t))] as Float64Array;
      row[cm.slot(keyOf(p))] = w;
    }
    cm.nSamples = s.nSamples;
    cm.totalWeight = s.totalWeight;
    return cm;
  }
}

/**
 * Reads and checks a saved matrix: every cell's true label has a row sum and its predicted label a
 * column sum, each sum adds up its cells, and the total weight adds up the row sums. Weights may be
 * negative (`update` accepts any finite weight), so only the sample count must be ≥ 0.
 */
function readState(s: StateNode): ConfusionMatrixState {
  const classes = s.isNull("classes") ? null : s.labels("classes", false);
  const nSamples = s.number("nSamples", { integer: true, min: 0 });
  const totalWeight = s.number("totalWeight");
  const rows = readSums(s, "rowSums");
  const cols = readSums(s, "colSums");
  const rowTerms = new Map<Key, number[]>([...rows.keys()].map((k) => [k, []]));
  const colTerms = new Map<Key, number[]>([...cols.keys()].map((k) => [k, []]));
  const seen = new Set<string>();
  const cells = s.tuples("cells", 3).map((cell: StateNode, i): [Label, Label, number] => {
    const t = cell.label(0);
    const p = cell.label(1);
    const w = cell.number(2);
    const inRow = rowTerms.get(keyOf(t));
    const inCol = colTerms.get(keyOf(p));
    if (inRow === undefined) cell.fail("[0]", `a true label listed in ${s.path}.rowSums`, t);
    if (inCol === undefined) cell.fail("[1]", `a predicted label listed in ${s.path}.colSums`, p);
    const pair = JSON.stringify([keyOf(t), keyOf(p)]);
    if (seen.has(pair)) s.fail(`.cells[${i}]`, "a cell not already listed", undefined, "", pair);
    seen.add(pair);
    inRow.push(w);
    inCol.push(w);
    return [t, p, w];
  });
  checkSums(s, "rowSums", rows, rowTerms);
  checkSums(s, "colSums", cols, colTerms);
  const rowSums = [...rows.values()];
  const rowTotals = rowSums.map(([, v]) => v);
  s.checkSum(".totalWeight", totalWeight, rowTotals, `the sum of ${s.path}.rowSums`);
  return { classes, nSamples, totalWeight, cells, rowSums, colSums: [...cols.values()] };
}

/** `[label, sum]` pairs with distinct labels (as Python dict keys: `true` is `1`), by key. */
function readSums(s: StateNode, field: string): Map<Key, [Label, number]> {
  const sums = new Map<Key, [Label, number]>();
  s.tuples(field, 2).forEach((pair, i) => {
    const label = pair.label(0);
    if (sums.has(keyOf(label))) s.fail(`.${field}[${i}][0]`, "a class not already listed", label);
    sums.set(keyOf(label), [label, pair.number(1)]);
  });
  return sums;
}

function checkSums(
  s: StateNode,
  field: string,
  sums: Map<Key, [Label, number]>,
  terms: Map<Key, number[]>,
): void {
  [...sums.entries()].forEach(([k, [label, sum]], i) => {
    const note = ` (class ${JSON.stringify(label)})`;
    s.checkSum(`.${field}[${i}][1]`, sum, terms.get(k) ?? [], "the sum of its cells", note);
  });
}

registerCheckpointType("ConfusionMatrix", (c) => ConfusionMatrix.fromJSON(c));
