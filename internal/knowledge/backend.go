package knowledge

import "context"

// The index itself (bleve) lives in package index and runs in the
// qdev-knowledge helper, not in q: linking bleve would add milliseconds of
// package initialisation and megabytes to every start of q, for a feature
// that is off by default. q walks and judges; the helper reads, chunks,
// indexes and searches; q judges every hit again before the model sees it.

// Backend builds and searches indexes.
type Backend interface {
	// Build indexes req.Files into a new index at req.Dir, calling
	// progress as files are done. It stops when ctx is cancelled.
	Build(ctx context.Context, req BuildRequest, progress func(done, items int)) (Built, error)
	// Search runs req.Query over the indexes in req.Dirs and returns the
	// best req.Size hits, best first.
	Search(ctx context.Context, req SearchRequest) ([]RawHit, error)
}

// File is one file to index.
type File struct {
	Abs string `json:"abs"`
	// Rel is the file's path below the base's root, slash-separated.
	Rel string `json:"rel"`
	// Dev and Ino identify the file the walk judged: the backend reads it
	// only if it opens that same file, not one swapped in since.
	Dev uint64 `json:"dev"`
	Ino uint64 `json:"ino"`
}

// BuildRequest asks for a new index.
type BuildRequest struct {
	Dir          string `json:"dir"`
	Files        []File `json:"files"`
	ChunkSize    int    `json:"chunk_size"`
	ChunkOverlap int    `json:"chunk_overlap"`
}

// Built is the outcome of a build.
type Built struct {
	Files      int `json:"files"`
	Items      int `json:"items"`
	Binary     int `json:"binary"`
	Unreadable int `json:"unreadable"`
}

// SearchRequest asks for the best Size hits of Query in the indexes in Dirs.
type SearchRequest struct {
	Dirs  []string `json:"dirs"`
	Query string   `json:"query"`
	Size  int      `json:"size"`
}

// RawHit is a hit before it is judged.
type RawHit struct {
	// Index is the position in SearchRequest.Dirs of the hit's index.
	Index int     `json:"index"`
	Rel   string  `json:"rel"`
	Start int     `json:"start"`
	End   int     `json:"end"`
	Text  string  `json:"text"`
	Score float64 `json:"score"`
}

// Request is one request to the helper, on its standard input: exactly
// one of its fields is set.
type Request struct {
	Build  *BuildRequest  `json:"build,omitempty"`
	Search *SearchRequest `json:"search,omitempty"`
}

// Reply is one line of the helper's standard output: progress while it
// builds (Done, Items), then a last line with Built or Hits, or Error.
type Reply struct {
	Done  int      `json:"done,omitempty"`
	Items int      `json:"items,omitempty"`
	Built *Built   `json:"built,omitempty"`
	Hits  []RawHit `json:"hits,omitempty"`
	// Final marks the last line, which holds the result or Error.
	Final bool   `json:"final,omitempty"`
	Error string `json:"error,omitempty"`
}
