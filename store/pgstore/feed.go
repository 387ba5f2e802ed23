package pgstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"sanbai/store"
)

// channel is the NOTIFY channel of the change feed.
const channel = "sanbai_changes"

// feedApp is the application_name of each front end's LISTEN connection.
const feedApp = "sanbai-feed"

// changeBody is one committed write in the changes table.
type changeBody struct {
	Changes    []store.Change `json:"changes"`
	HHVillages []string       `json:"hh,omitempty"`
}

func encodeChanges(changes []store.Change, hhVillages []string) ([]byte, error) {
	return json.Marshal(changeBody{Changes: changes, HHVillages: hhVillages})
}

// keepChanges is how long the changes table keeps a row: a front end away longer than this
// reloads everything instead of catching up (feed.catchUp).
const keepChanges = 24 * time.Hour

// StartFeed LISTENs on its own connection (reconnecting after a second when it drops) and hands
// every other front end's committed changes to publish, in commit order. It starts from the
// newest change committed now; after a reconnect it catches up from the last change it saw, so
// a front end that lost its connection misses nothing.
func (d *db) StartFeed(publish func([]store.Change, []string)) {
	ctx, cancel := context.WithCancel(context.Background())
	f := &feed{d: d, publish: publish}
	if err := d.pool.QueryRow(ctx, "SELECT coalesce(max(seq), 0) FROM changes").Scan(&f.last); err != nil {
		d.log.Warn("change feed: cannot read where it stands; starting from the beginning", "err", err)
	}
	l := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) {
			cfg := d.pool.Config().ConnConfig.Copy()
			// Named, so an operator (and a test) can tell the feed's connection apart.
			cfg.RuntimeParams["application_name"] = feedApp
			return pgx.ConnectConfig(ctx, cfg)
		},
		LogError: func(_ context.Context, err error) {
			if ctx.Err() == nil {
				d.log.Warn("change feed", "err", err)
			}
		},
		ReconnectDelay: time.Second,
	}
	l.Handle(channel, f)
	done := make(chan struct{})
	d.feedMu.Lock()
	d.stopFeed, d.feedDone = cancel, done
	d.feedMu.Unlock()
	go func() {
		defer close(done)
		_ = l.Listen(ctx)
	}()
}

// feed follows the changes table.
type feed struct {
	d       *db
	publish func([]store.Change, []string)
	last    int64 // the last change seen
	pruned  time.Time
}

// HandleNotification catches up whenever a change is announced: the payload is only a wake-up,
// the table is the truth.
func (f *feed) HandleNotification(ctx context.Context, _ *pgconn.Notification, conn *pgx.Conn) error {
	return f.catchUp(ctx, conn)
}

// HandleBacklog catches up after each (re)connect, from the last change seen.
func (f *feed) HandleBacklog(ctx context.Context, _ string, conn *pgx.Conn) error {
	return f.catchUp(ctx, conn)
}

// catchUp publishes every change after the last one seen that another front end made. A gap
// too old to replay (pruned meanwhile) is published as a change of everything.
func (f *feed) catchUp(ctx context.Context, conn *pgx.Conn) error {
	if time.Since(f.pruned) > time.Hour {
		f.pruned = time.Now()
		if _, err := conn.Exec(ctx, "DELETE FROM changes WHERE at < now() - make_interval(secs => $1)", keepChanges.Seconds()); err != nil {
			return err
		}
	}
	var oldest int64
	if err := conn.QueryRow(ctx, "SELECT coalesce(min(seq), 0) FROM changes").Scan(&oldest); err != nil {
		return err
	}
	if oldest > f.last+1 && f.last > 0 {
		f.publish([]store.Change{{Kind: "all"}}, nil)
	}
	for {
		rows, err := conn.Query(ctx, "SELECT seq, origin, body FROM changes WHERE seq > $1 ORDER BY seq LIMIT 500", f.last)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var seq int64
			var origin string
			var body changeBody
			if err := rows.Scan(&seq, &origin, &body); err != nil {
				rows.Close()
				return err
			}
			n++
			f.last = seq
			if origin != f.d.origin {
				f.publish(body.Changes, body.HHVillages)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if n < 500 {
			return nil
		}
	}
}
