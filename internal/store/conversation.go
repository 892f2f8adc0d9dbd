package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/qdev/qdev/internal/audit"
)

// Conversation is one saved chat session. Data is the agent's own JSON
// encoding of the session; the store keeps it opaque.
type Conversation struct {
	ID    string
	Cwd   string // absolute working directory the session ran in
	Agent string
	Model string
	Data  []byte
	// Updated is when the conversation was last saved.
	Updated time.Time
}

// SaveConversation inserts c or replaces the conversation with the same ID.
// It is one SQL statement, hence one transaction: a crash leaves either the
// old or the new row. ID and Cwd must be set and Data must be valid JSON; a
// zero Updated is set to the current time. Secrets in Data (see
// audit.RedactJSON) are masked before it is written: a resumed
// conversation has "***" where the model once saw them.
func (s *Store) SaveConversation(ctx context.Context, c Conversation) error {
	if c.ID == "" {
		return errors.New("save conversation: empty ID")
	}
	if c.Cwd == "" {
		return fmt.Errorf("save conversation %s: empty working directory", c.ID)
	}
	if !json.Valid(c.Data) {
		return fmt.Errorf("save conversation %s: data is not valid JSON", c.ID)
	}
	if c.Updated.IsZero() {
		c.Updated = time.Now()
	}
	c.Data = audit.RedactJSON(c.Data)
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO conversations (id, cwd, agent, model, data, updated)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			cwd = excluded.cwd, agent = excluded.agent, model = excluded.model,
			data = excluded.data, updated = excluded.updated`,
		c.ID, filepath.Clean(c.Cwd), c.Agent, c.Model, c.Data, c.Updated.UnixNano())
	if err != nil {
		return fmt.Errorf("save conversation %s: %w", c.ID, describe(s.path, err))
	}
	return nil
}

// LatestConversation returns the most recently saved conversation whose
// working directory is cwd — what `q chat --resume` continues. The boolean
// is false when that directory has none.
func (s *Store) LatestConversation(ctx context.Context, cwd string) (Conversation, bool, error) {
	var (
		c       Conversation
		updated int64
	)
	err := s.db.QueryRowContext(ctx, `
		SELECT id, cwd, agent, model, data, updated FROM conversations
		WHERE cwd = ? ORDER BY updated DESC LIMIT 1`,
		filepath.Clean(cwd)).Scan(&c.ID, &c.Cwd, &c.Agent, &c.Model, &c.Data, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Conversation{}, false, nil
	}
	if err != nil {
		return Conversation{}, false, fmt.Errorf("load conversation for %s: %w", cwd, describe(s.path, err))
	}
	c.Updated = time.Unix(0, updated)
	return c, true, nil
}
