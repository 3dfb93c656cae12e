import type { ReactNode } from "react";
import { useEffect, useState } from "react";

import { api } from "../api/client.js";
import type { Topic, TopicEvent } from "../api/types.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatNumber, formatTime } from "../format.js";
import { href, Link, useRoute } from "../router.js";
import { useTopics } from "./use-topics.js";

const TAIL = 50;

function preview(data: unknown): string {
  const text = typeof data === "string" ? data : JSON.stringify(data);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** The newest events of a topic, following new ones as they are published. */
function TopicTail({ topic }: { topic: Topic }): ReactNode {
  const [events, setEvents] = useState<TopicEvent[]>([]);
  const [error, setError] = useState<Error>();
  const [paused, setPaused] = useState(false);

  useEffect(() => {
    setEvents([]);
  }, [topic.name]);

  useEffect(() => {
    if (paused) return;
    const controller = new AbortController();
    let next: number | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      try {
        if (next === undefined) {
          const last = topic.lastOffset ?? -1;
          const from = Math.max(topic.firstOffset ?? 0, last - TAIL + 1);
          next = from;
        }
        const batch = await api.topicEvents(topic.name, { from: next, limit: 200 }, controller.signal);
        if (batch.length > 0) {
          next = batch[batch.length - 1]!.offset + 1;
          setEvents((old) => {
            const seen = new Set(old.map((e) => e.offset));
            return [...batch.filter((e) => !seen.has(e.offset)).reverse(), ...old].slice(0, TAIL);
          });
        }
        setError(undefined);
      } catch (e) {
        if (controller.signal.aborted) return;
        setError(e instanceof Error ? e : new Error(String(e)));
      }
      if (!controller.signal.aborted) timer = setTimeout(() => void tick(), 1000);
    };
    void tick();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
    // Restart only when another topic is chosen or the tail is resumed.
  }, [topic.name, paused]);

  return (
    <section className="card" aria-labelledby="tail-h">
      <header className="page-head">
        <h2 id="tail-h">Recent events on {topic.name}</h2>
        <label className="check">
          <input type="checkbox" checked={!paused} onChange={(e) => setPaused(!e.target.checked)} />
          Live tail
        </label>
      </header>
      <ErrorNote error={error} />
      {events.length === 0 ? (
        <p className="empty">No events yet.</p>
      ) : (
        <table className="data events">
          <caption className="sr-only">Newest events first</caption>
          <thead>
            <tr>
              <th scope="col">Offset</th>
              <th scope="col">Time</th>
              <th scope="col">Data</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.offset}>
                <td className="num">{e.offset}</td>
                <td>{e.timestamp ? formatTime(e.timestamp) : "—"}</td>
                <td>
                  <code className="event-data">{preview(e.data)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Topics of the embedded event log: counts, rates, consumer groups and lag, and a live tail. */
export function TopicsPage(): ReactNode {
  const { query } = useRoute();
  const topics = useTopics(2000);
  const selected = topics.data?.find((t) => t.name === query.get("topic")) ?? topics.data?.[0];
  return (
    <div className="page">
      <header className="page-head">
        <h1>Topics</h1>
      </header>
      <ErrorNote error={topics.error} retry={topics.reload} />
      {topics.loading && !topics.data && <Loading what="topics" />}
      {topics.data?.length === 0 && <p className="empty">No topics yet. Publish an event to create one.</p>}
      {topics.data && topics.data.length > 0 && (
        <section className="card">
          <table className="data topics">
            <caption className="sr-only">Topics</caption>
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col">Events</th>
                <th scope="col">Offsets</th>
                <th scope="col">Publish rate</th>
                <th scope="col">Consumer groups (lag)</th>
              </tr>
            </thead>
            <tbody>
              {topics.data.map((t) => (
                <tr
                  key={t.name}
                  data-topic={t.name}
                  aria-current={t.name === selected?.name ? "true" : undefined}
                >
                  <td>
                    <Link to={href("/topics", { topic: t.name })}>{t.name}</Link>
                  </td>
                  <td className="num">{formatNumber(t.count)}</td>
                  <td className="num">
                    {t.firstOffset ?? "—"} … {t.lastOffset ?? "—"}
                  </td>
                  <td className="num">{formatNumber(t.publishRate, 1)}/s</td>
                  <td>
                    {t.groups.length === 0 ? (
                      <span className="muted">none</span>
                    ) : (
                      <ul className="groups">
                        {t.groups.map((g) => (
                          <li key={g.name}>
                            {g.name}{" "}
                            <span className={g.lag > 0 ? "lag warn" : "lag"}>lag {formatNumber(g.lag)}</span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {selected && <TopicTail key={selected.name} topic={selected} />}
    </div>
  );
}
