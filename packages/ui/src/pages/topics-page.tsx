import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useState } from "react";

import { topicsQuery, topicTailQuery } from "../api/queries.js";
import { ErrorNote, Loading } from "../components/status.js";
import { formatNumber, formatTime } from "../format.js";
import { href, Link, useRoute } from "../router.js";

function preview(data: unknown): string {
  const text = typeof data === "string" ? data : JSON.stringify(data);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** The newest events of a topic, following new ones as they are published. */
function TopicTail({ name }: { name: string }): ReactNode {
  const [paused, setPaused] = useState(false);
  const tail = useQuery(topicTailQuery(name, !paused));
  const events = tail.data ?? [];

  return (
    <section className="card" aria-labelledby="tail-h">
      <header className="page-head">
        <h2 id="tail-h">Recent events on {name}</h2>
        <label className="check">
          <input type="checkbox" checked={!paused} onChange={(e) => setPaused(!e.target.checked)} />
          Live tail
        </label>
      </header>
      <ErrorNote error={tail.error} />
      {tail.isPending ? (
        <Loading what="events" />
      ) : events.length === 0 ? (
        <p className="empty">No events yet.</p>
      ) : (
        <div className="table-wrap">
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
                  <td>{formatTime(e.createdAt)}</td>
                  <td>
                    <code className="event-data">{preview(e.data)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Topics of the embedded event log: counts, rates, consumer groups and lag, and a live tail. */
export function TopicsPage(): ReactNode {
  const { query } = useRoute();
  const topics = useQuery(topicsQuery(2000));
  const asked = query.get("topic");
  // An unknown topic says so rather than showing another one's events.
  const selected = asked === null ? topics.data?.[0] : topics.data?.find((t) => t.name === asked);
  return (
    <div className="page">
      <header className="page-head">
        <h1>Topics</h1>
      </header>
      <ErrorNote error={topics.error} retry={() => void topics.refetch()} />
      {topics.isPending && <Loading what="topics" />}
      {topics.data?.length === 0 && <p className="empty">No topics yet. Publish an event to create one.</p>}
      {topics.data && topics.data.length > 0 && (
        <section className="card">
          <div className="table-wrap">
            <table className="data topics stacked">
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
                    <td data-label="Topic">
                      <Link to={href("/topics", { topic: t.name })}>{t.name}</Link>
                    </td>
                    <td className="num" data-label="Events">
                      {formatNumber(t.eventCount)}
                    </td>
                    <td className="num" data-label="Offsets">
                      {t.firstOffset} … {t.lastOffset}
                    </td>
                    <td className="num" data-label="Publish rate">
                      {formatNumber(t.publishRate, 1)}/s
                    </td>
                    <td data-label="Consumer groups (lag)">
                      {t.groups.length === 0 ? (
                        <span className="muted">none</span>
                      ) : (
                        <ul className="groups">
                          {t.groups.map((g) => (
                            <li key={g.name}>
                              {g.name}{" "}
                              <span className={g.lag > 0 ? "lag warn" : "lag"}>
                                lag {formatNumber(g.lag)}
                              </span>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {selected && <TopicTail key={selected.name} name={selected.name} />}
      {topics.data && asked !== null && !selected && (
        <section className="card not-found" data-testid="not-found" aria-labelledby="topic-missing-h">
          <h2 id="topic-missing-h">Topic not found</h2>
          <p>
            No topic is called <code>{asked}</code>. A topic exists once an event is published to it; choose
            one above, or <Link to="#/topics">see all topics</Link>.
          </p>
        </section>
      )}
    </div>
  );
}
