package index

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/qdev/qdev/internal/knowledge"
)

// Serve answers one knowledge.Request read from in with knowledge.Reply
// lines on out: for a build, progress at most every 100 ms, then the
// result. It is the qdev-knowledge helper's whole job.
func Serve(ctx context.Context, in io.Reader, out io.Writer) error {
	var req knowledge.Request
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		return reply(out, knowledge.Reply{Final: true, Error: "invalid request: " + err.Error()})
	}
	switch {
	case req.Build != nil:
		var last time.Time
		built, err := Local{}.Build(ctx, *req.Build, func(done, items int) {
			if now := time.Now(); now.Sub(last) >= 100*time.Millisecond {
				last = now
				_ = reply(out, knowledge.Reply{Done: done, Items: items})
			}
		})
		if err != nil {
			return reply(out, knowledge.Reply{Final: true, Error: err.Error()})
		}
		return reply(out, knowledge.Reply{Final: true, Built: &built})
	case req.Search != nil:
		hits, err := Local{}.Search(ctx, *req.Search)
		if err != nil {
			return reply(out, knowledge.Reply{Final: true, Error: err.Error()})
		}
		return reply(out, knowledge.Reply{Final: true, Hits: hits})
	}
	return reply(out, knowledge.Reply{Final: true, Error: "the request asks for nothing"})
}

func reply(out io.Writer, r knowledge.Reply) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if _, err := out.Write(append(data, '\n')); err != nil {
		return errors.Join(errors.New("writing a reply"), err)
	}
	return nil
}
