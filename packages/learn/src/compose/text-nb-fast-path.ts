import { BagOfWords } from "../feature-extraction/bag-of-words.js";
import { EncodedDoc, Vocabulary } from "../feature-extraction/vocabulary.js";
import { logSumExp } from "../internal/math.js";
import { MultinomialNB } from "../naive-bayes/multinomial-nb.js";
import type { Label, Proba } from "../types.js";

const lse = logSumExp; // module-local alias: no getter per call under loaders that add them

const MAX_VOCABULARY = 1 << 22;

/**
 * The hot path of `Pipeline(BagOfWords, MultinomialNB)`: tokens are interned to ids straight from
 * the text and the model is read and updated through arrays, with no `Map` or substring per
 * token. Exactly the same tokens, order and arithmetic as the general path (a test holds it to
 * that); only allocation differs.
 * @internal
 */
export class TextNBFastPath {
  private vocab = new Vocabulary();
  private readonly doc = new EncodedDoc();
  /** Vocabulary id → model feature index (-1: not in the model yet). */
  private toFeature = new Int32Array(1024).fill(-1);
  private fis = new Int32Array(64);
  private jll = new Float64Array(4);
  private lastText: string | undefined = undefined;
  private lastRevision = -1;
  // predictOne then predictProbaOne on the same text and model: compute the likelihoods once.
  private jllText: string | undefined = undefined;
  private jllRevision = -1;
  private jllClasses = 0;
  /** Token of the loaded document's `i`-th term (for error messages only). */
  private readonly tokenAt = (i: number): string => this.vocab.tokens[this.doc.ids[i] as number] as string;

  constructor(
    private readonly bow: BagOfWords,
    private readonly nb: MultinomialNB,
  ) {}

  /** Whether the pipeline's steps qualify. */
  static applies(steps: readonly unknown[]): boolean {
    return (
      steps.length === 2 &&
      steps[0] instanceof BagOfWords &&
      steps[1] instanceof MultinomialNB &&
      steps[0].textProcessor.plainTokens
    );
  }

  private load(x: unknown, method: string): void {
    // Reuse the encoded document for the same text while the model is unchanged (the model may
    // learn features by other routes, which would make cached unseen-feature markers stale).
    if (typeof x === "string" && x === this.lastText && this.nb.revision === this.lastRevision) return;
    if (this.vocab.size > MAX_VOCABULARY) this.resetVocabulary();
    const processor = this.bow.textProcessor;
    // Pure-ASCII text: accents need no stripping, so one pass does case, tokens and ids.
    if (typeof x !== "string" || !this.doc.encodeAscii(x, this.vocab, processor.lowercase)) {
      this.doc.encode(processor.normalized(x as string, method), this.vocab);
    }
    this.lastText = typeof x === "string" ? x : undefined;
    this.lastRevision = this.nb.revision;
    const n = this.doc.n;
    if (this.fis.length < n) this.fis = new Int32Array(n * 2);
    if (this.toFeature.length < this.vocab.size) {
      const t = new Int32Array(Math.max(this.vocab.size, this.toFeature.length * 2)).fill(-1);
      t.set(this.toFeature);
      this.toFeature = t;
    }
    const ids = this.doc.ids;
    for (let i = 0; i < n; i++) {
      const id = ids[i] as number;
      let fi = this.toFeature[id] as number;
      if (fi < 0) {
        // The model may have learnt the feature elsewhere (learnOne on features, merge).
        fi = this.nb.featureIndexOf(this.vocab.tokens[id] as string);
        if (fi >= 0) this.toFeature[id] = fi;
      }
      this.fis[i] = fi;
    }
  }

  private resetVocabulary(): void {
    this.vocab = new Vocabulary();
    this.toFeature = new Int32Array(1024).fill(-1);
    this.lastText = undefined;
    this.jllText = undefined;
  }

  private computeJll(x: unknown, method: string): number {
    if (typeof x === "string" && x === this.jllText && this.nb.revision === this.jllRevision)
      return this.jllClasses;
    this.load(x, method);
    const k = this.nb.labelList.length;
    if (this.jll.length < k) this.jll = new Float64Array(k * 2);
    this.jllClasses = this.nb.jllIndexed(this.fis, this.doc.counts, this.doc.n, this.jll, this.tokenAt);
    this.jllText = typeof x === "string" ? x : undefined;
    this.jllRevision = this.nb.revision;
    return this.jllClasses;
  }

  predictOne(x: unknown): Label | undefined {
    const k = this.computeJll(x, "predictOne");
    if (k === 0) return undefined;
    const jll = this.jll;
    // River picks the largest probability exp(jll - lse), first on ties. exp is monotonic, so
    // the largest jll wins unless another is so close that rounding could tie the probabilities;
    // only then are the probabilities computed and compared.
    let top = 0;
    for (let c = 1; c < k; c++) if ((jll[c] as number) > (jll[top] as number)) top = c;
    const margin = 1e-9 * Math.max(1, Math.abs(jll[top] as number));
    let close = false;
    for (let c = 0; c < k; c++)
      if (c !== top && (jll[top] as number) - (jll[c] as number) <= margin) close = true;
    if (!close) return this.nb.labelList[top];
    const total = lse(jll, k);
    let best = 0;
    let bestP = Math.exp((jll[0] as number) - total);
    for (let c = 1; c < k; c++) {
      const p = Math.exp((jll[c] as number) - total);
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    return this.nb.labelList[best];
  }

  predictProbaOne(x: unknown): Proba {
    const k = this.computeJll(x, "predictProbaOne");
    const out: Proba = new Map();
    if (k === 0) return out;
    const total = lse(this.jll, k);
    const labels = this.nb.labelList;
    for (let c = 0; c < k; c++) out.set(labels[c] as Label, Math.exp((this.jll[c] as number) - total));
    return out;
  }

  learnOne(x: unknown, y: Label): void {
    this.load(x, "learnOne");
    const n = this.doc.n;
    const ids = this.doc.ids;
    for (let i = 0; i < n; i++) {
      if ((this.fis[i] as number) < 0) {
        const id = ids[i] as number;
        const fi = this.nb.featureSlot(this.vocab.tokens[id] as string);
        this.toFeature[id] = fi;
        this.fis[i] = fi;
      }
    }
    this.nb.learnIndexed(y, this.fis, this.doc.counts, n);
  }
}
