import type { ReactNode } from "react";
import { useEffect } from "react";

import { Link } from "../router.js";

/**
 * What the dashboard shows for an address that leads nowhere: an unknown page, a run id that is
 * not one, or a run or topic that does not exist. It says which, and links back.
 */
export function NotFoundPage({
  title,
  children,
  back,
}: {
  title: string;
  children: ReactNode;
  back: { to: string; label: string };
}): ReactNode {
  useEffect(() => {
    document.title = `${title} · Weir`;
  }, [title]);
  return (
    <section className="page not-found" aria-labelledby="not-found-h" data-testid="not-found">
      <h1 id="not-found-h">{title}</h1>
      <p>{children}</p>
      <p>
        <Link to={back.to}>{back.label}</Link>
      </p>
    </section>
  );
}

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can be a run id (a UUID): anything else is not looked up at all. */
export const isRunId = (id: string): boolean => RUN_ID.test(id);

/** A run that does not exist, or an address part that cannot be a run id. */
export function RunNotFound({ id }: { id: string }): ReactNode {
  return (
    <NotFoundPage title="Run not found" back={{ to: "#/runs", label: "See all flow runs" }}>
      {isRunId(id) ? (
        <>
          No run has the id <code>{id}</code>. It may have been deleted, or the link is from another Weir
          server.
        </>
      ) : (
        <>
          <code>{id}</code> is not a run id: run ids look like{" "}
          <code>0b6f3c1e-5d7a-4a7e-9c1b-2f3e4d5a6b7c</code>. Check the link.
        </>
      )}
    </NotFoundPage>
  );
}
