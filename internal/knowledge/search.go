package knowledge

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Hit is one search result.
type Hit struct {
	Base Base
	// Path is the file's absolute path, Rel the same below the base's root.
	Path, Rel  string
	Start, End int
	Text       string
	Score      float64
}

// Results are the outcome of one search.
type Results struct {
	Hits []Hit
	// Withheld counts matches left out because the permission rules in
	// force now do not let their files be read.
	Withheld int
	// Notes say which bases could not be searched, and why.
	Notes []string
}

// Search finds the chunks that best match query in the bases ident names
// ("" for all of them), at most limit (DefaultResults when 0). Each match is
// judged again, under the rules in force now, before it is returned: a
// file that may not be read is never quoted, whatever it was indexed under.
func (s *Store) Search(query, ident string, limit int) (Results, error) {
	if strings.TrimSpace(query) == "" {
		return Results{}, errors.New("the query is empty")
	}
	if limit <= 0 {
		limit = DefaultResults
	}
	bases, err := s.Bases()
	if err != nil {
		return Results{}, err
	}
	if ident != "" {
		i, err := s.find(bases, ident)
		if err != nil {
			return Results{}, err
		}
		bases = bases[i : i+1]
	}
	if len(bases) == 0 {
		return Results{}, errors.New("there are no knowledge bases; the user adds one with /knowledge add NAME PATH")
	}
	var res Results
	var searchable []Base
	var dirs []string
	for _, b := range bases {
		switch {
		case b.Index != "":
			searchable = append(searchable, b)
			dirs = append(dirs, filepath.Join(s.dir, b.ID, b.Index, "index"))
			if b.State == Indexing {
				res.Notes = append(res.Notes, fmt.Sprintf("%s is being indexed again; its results are from %s.", b.Name, b.UpdatedAt.Format("2006-01-02 15:04")))
			}
		case b.State == Indexing:
			res.Notes = append(res.Notes, b.Name+" is still being indexed; it can be searched when indexing ends.")
		default:
			res.Notes = append(res.Notes, fmt.Sprintf("%s has no index (%s: %s); /knowledge update %s indexes it again.", b.Name, b.State, b.Error, b.Name))
		}
	}
	if len(searchable) == 0 {
		return res, nil
	}
	// Ask for more than needed: some may be withheld.
	raw, err := s.backend.Search(context.Background(), SearchRequest{Dirs: dirs, Query: query, Size: limit*4 + 10})
	if err != nil {
		return Results{}, err
	}
	for _, r := range raw {
		if r.Index < 0 || r.Index >= len(searchable) || r.Rel == "" {
			continue
		}
		b := searchable[r.Index]
		h := Hit{Base: b, Path: b.Path, Rel: r.Rel, Start: r.Start, End: r.End, Text: r.Text, Score: r.Score}
		if !b.IsFile {
			h.Path = filepath.Join(b.Path, filepath.FromSlash(r.Rel))
		}
		// A path from the index is judged only if it stays below its base.
		if !b.IsFile && !strings.HasPrefix(h.Path, strings.TrimSuffix(b.Path, "/")+"/") {
			continue
		}
		if s.judge == nil || s.judge(h.Path) != nil {
			res.Withheld++
			continue
		}
		if len(res.Hits) < limit {
			res.Hits = append(res.Hits, h)
		}
	}
	return res, nil
}
