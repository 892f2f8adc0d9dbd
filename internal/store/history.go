package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/qdev/qdev/internal/audit"
)

// HistoryLimit is how many input lines the store keeps; older ones are
// dropped as new ones arrive.
const HistoryLimit = 1000

// AppendHistory records one line the user typed, its secrets masked (see
// audit.RedactString). Blank lines and a repeat of the most recent line are
// not recorded.
func (s *Store) AppendHistory(ctx context.Context, line string) error {
	if strings.TrimSpace(line) == "" {
		return nil
	}
	err := s.appendHistory(ctx, audit.RedactString(line))
	if err != nil {
		return fmt.Errorf("append history: %w", describe(s.path, err))
	}
	return nil
}

func (s *Store) appendHistory(ctx context.Context, line string) error {
	// The repeat check and the insert share one write transaction so two q
	// processes cannot both see "not a repeat" and insert the same line.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var last string
	err = tx.QueryRowContext(ctx, "SELECT line FROM history ORDER BY id DESC LIMIT 1").Scan(&last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	case last == line:
		return nil
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO history (line) VALUES (?)", line); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM history WHERE id <
		(SELECT id FROM history ORDER BY id DESC LIMIT 1 OFFSET ?)`, HistoryLimit-1); err != nil {
		return err
	}
	return tx.Commit()
}

// History returns the last limit recorded lines, oldest first; limit <= 0
// means all of them (at most HistoryLimit).
func (s *Store) History(ctx context.Context, limit int) ([]string, error) {
	if limit <= 0 || limit > HistoryLimit {
		limit = HistoryLimit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT line FROM
		(SELECT id, line FROM history ORDER BY id DESC LIMIT ?) ORDER BY id`, limit)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", describe(s.path, err))
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, fmt.Errorf("read history: %w", describe(s.path, err))
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read history: %w", describe(s.path, err))
	}
	return lines, nil
}
