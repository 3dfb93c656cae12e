import type {
  LabelsAnswer,
  ModelAlias,
  ModelLabel,
  ModelVersion,
  PredictAnswer,
  PublishModelVersion,
  SetModelAlias,
} from "@weir/protocol";
import { BagOfWords, MultinomialNB, Pipeline } from "@weir/learn";

/** Reviews with their sentiment (1 positive, 0 negative), as the reference application learns them. */
export const REVIEWS: [string, number][] = [
  ["Wow... Loved this place.", 1],
  ["Crust is not good.", 0],
  ["The fries were great too.", 1],
  ["Not tasty and the texture was just nasty.", 0],
  ["The selection on the menu was great and so were the prices.", 1],
  ["Now I am getting angry and I want my damn pho.", 0],
  ["Great food and great service, loved it.", 1],
  ["The service was slow and the food was cold.", 0],
  ["A great place for a great dinner.", 1],
  ["Honestly it did not taste fresh, a bad experience.", 0],
  ["Loved the great desserts.", 1],
  ["Bad food, not good at all, never again.", 0],
];

/** The text model of the reference application: bag of words into multinomial naive Bayes. */
export function sentimentModel(): Pipeline<string> {
  return new Pipeline<string>(new BagOfWords({ lowercase: true }), new MultinomialNB());
}

/**
 * Publishes one version of a features model: multinomial naive Bayes on word counts given as a
 * record, telling spam from ham.
 */
export async function publishSpamModel(client: ModelClient, name: string): Promise<ModelVersion> {
  const nb = new MultinomialNB();
  nb.learnOne({ free: 2, money: 1, win: 1 }, "spam");
  nb.learnOne({ meeting: 1, agenda: 1, notes: 1 }, "ham");
  nb.learnOne({ free: 1, prize: 2 }, "spam");
  nb.learnOne({ lunch: 1, meeting: 1 }, "ham");
  return client.publish(name, {
    checkpoint: nb.toJSON() as unknown as PublishModelVersion["checkpoint"],
    metrics: { accuracy: 0.75 },
  });
}

/** A tiny client for the models API of a real Weir server, with the API key when it has one. */
export class ModelClient {
  constructor(
    readonly baseUrl: string,
    readonly apiKey?: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  publish(name: string, version: PublishModelVersion): Promise<ModelVersion> {
    return this.request("POST", `/api/models/${name}/versions`, version);
  }

  setAlias(name: string, alias: string, body: SetModelAlias): Promise<ModelAlias> {
    return this.request("PUT", `/api/models/${name}/aliases/${alias}`, body);
  }

  predict(name: string, input: string, pin = ""): Promise<PredictAnswer> {
    return this.request("POST", `/api/models/${name}/predict${pin}`, { input });
  }

  label(name: string, labels: { id: string; label: ModelLabel }[]): Promise<LabelsAnswer> {
    return this.request("POST", `/api/models/${name}/labels`, { labels });
  }
}

/**
 * Publishes three versions of a sentiment model learned on {@link REVIEWS} (4, 8 and 12 reviews,
 * each with its progressive accuracy), made by `runId`; `production` points at version 2 and
 * `candidate` follows the newest version.
 */
export async function publishSentimentModel(
  client: ModelClient,
  name: string,
  runId: string,
): Promise<{ versions: ModelVersion[] }> {
  const model = sentimentModel();
  const versions: ModelVersion[] = [];
  let right = 0;
  for (const [i, [text, label]] of REVIEWS.entries()) {
    if (model.predictOne(text) === label) right++;
    model.learnOne(text, label);
    const step = i + 1;
    if (step % 4 === 0)
      versions.push(
        await client.publish(name, {
          checkpoint: model.toJSON() as unknown as PublishModelVersion["checkpoint"],
          runId,
          step,
          metrics: { accuracy: right / step, reviews: step },
          description: step === 12 ? "Learned every review of the seed" : undefined,
        }),
      );
  }
  await client.setAlias(name, "production", { version: 2 });
  await client.setAlias(name, "candidate", { followLatest: true });
  return { versions };
}
