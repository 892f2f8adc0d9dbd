// Package knowledge keeps knowledge bases: folders or files the user adds
// with /knowledge add, indexed for full-text search (bleve, BM25) in the
// background, persisted under qdev's data directory, one set per agent, and
// searched by the model through the knowledge tool.
//
// A knowledge base must never let the model read what fs_read may not: every
// file is judged by a Judge when it is indexed and again, under the rules
// then in force, before a search result built from it is returned.
package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Index types, as the Q CLI names them. Best (semantic search with a local
// embedding model) is not available here; a base asked to be Best is
// indexed as Fast and says so.
const (
	Fast = "Fast"
	Best = "Best"
)

// Defaults of the knowledge.* settings, the Q CLI's: chunks of 512 words
// overlapping by 128, at most 10,000 files a base, 5 results a search.
const (
	DefaultChunkSize    = 512
	DefaultChunkOverlap = 128
	DefaultMaxFiles     = 10000
	DefaultResults      = 5
	// MaxFileBytes is the largest file indexed; larger ones are skipped
	// and counted, so one log file cannot take the whole index.
	MaxFileBytes = 10 << 20
)

// DirName is the folder under the data directory that holds the knowledge
// bases, one subfolder per agent.
const DirName = "knowledge_bases"

// Judge says whether the content of the file at path (absolute, canonical)
// may reach the model under the permission rules in force when it is
// called; a non-nil error says why not. A knowledge base without a Judge
// indexes and returns nothing: it fails closed.
type Judge func(path string) error

// Settings are the knowledge.* settings in force when an operation starts.
type Settings struct {
	// ChunkSize is the words a chunk holds at most; ChunkOverlap the words
	// consecutive chunks share, negative when unset (then a quarter of the
	// chunk size, at most the default 128).
	ChunkSize    int
	ChunkOverlap int
	MaxFiles     int
	// IndexType is the default for bases added without --index-type.
	IndexType string
	// Include and Exclude are the default patterns of bases added without
	// --include or --exclude.
	Include, Exclude []string
}

// withDefaults fills zero values with the defaults above.
func (s Settings) withDefaults() Settings {
	if s.ChunkSize <= 0 {
		s.ChunkSize = DefaultChunkSize
	}
	if s.ChunkOverlap < 0 {
		s.ChunkOverlap = min(DefaultChunkOverlap, s.ChunkSize/4)
	}
	if s.MaxFiles <= 0 {
		s.MaxFiles = DefaultMaxFiles
	}
	if s.IndexType == "" {
		s.IndexType = Fast
	}
	return s
}

// validate reports settings that cannot chunk text, naming the setting.
func (s Settings) validate() error {
	if s.ChunkOverlap >= s.ChunkSize {
		return fmt.Errorf("knowledge.chunkOverlap (%d) must be smaller than knowledge.chunkSize (%d)", s.ChunkOverlap, s.ChunkSize)
	}
	return nil
}

// State is where a knowledge base stands.
type State string

const (
	// Indexing: an operation is building its index now.
	Indexing State = "indexing"
	// Ready: its index is complete and searchable.
	Ready State = "ready"
	// Failed: the last operation stopped on an error (Base.Error).
	Failed State = "failed"
	// Cancelled: the user cancelled the operation before it finished.
	Cancelled State = "cancelled"
	// Interrupted: q exited, or was killed, while it indexed.
	Interrupted State = "interrupted"
)

// Base is one knowledge base as contexts.json records it.
type Base struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Path is the canonical file or folder indexed.
	Path string `json:"source_path"`
	// IsFile is set when Path is a file rather than a folder.
	IsFile    bool      `json:"is_file,omitempty"`
	Include   []string  `json:"include_patterns,omitempty"`
	Exclude   []string  `json:"exclude_patterns,omitempty"`
	IndexType string    `json:"index_type"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	State     State     `json:"state"`
	// Error is why the last operation failed, if it did.
	Error string `json:"error,omitempty"`
	// Files and Items count the files and chunks in the index.
	Files   int     `json:"files"`
	Items   int     `json:"item_count"`
	Skipped Skipped `json:"skipped"`
	// Index is the folder, under the base's own, of its complete index;
	// empty until the first operation succeeds. An update builds a new one
	// beside it and replaces it only when done, so searches go on meanwhile.
	Index string `json:"index,omitempty"`
	// Building is the folder of the operation running now, whose lock
	// file tells whether its process still lives.
	Building string `json:"building,omitempty"`
}

// ShortID is the 8-character id shown to users and accepted back.
func (b Base) ShortID() string {
	if len(b.ID) > 8 {
		return b.ID[:8]
	}
	return b.ID
}

// IndexDescription names the index type the way /knowledge show does.
func (b Base) IndexDescription() string {
	if b.IndexType == Fast {
		return "Fast (BM25)"
	}
	return b.IndexType
}

// Skipped counts the files an operation left out, by reason.
type Skipped struct {
	Ignored    int `json:"ignored,omitempty"`    // .gitignore
	Hidden     int `json:"hidden,omitempty"`     // dot files and folders
	Excluded   int `json:"excluded,omitempty"`   // --include/--exclude
	Binary     int `json:"binary,omitempty"`     // NUL bytes
	TooLarge   int `json:"too_large,omitempty"`  // over MaxFileBytes
	Denied     int `json:"denied,omitempty"`     // the permission rules
	Symlinks   int `json:"symlinks,omitempty"`   // links, never followed
	Unreadable int `json:"unreadable,omitempty"` // errors opening or reading
}

// Total is the number of files left out.
func (s Skipped) Total() int {
	return s.Ignored + s.Hidden + s.Excluded + s.Binary + s.TooLarge + s.Denied + s.Symlinks + s.Unreadable
}

// String lists the non-zero counts, "" when there are none.
func (s Skipped) String() string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(s.Denied, "denied by permissions")
	add(s.Ignored, "ignored by .gitignore")
	add(s.Hidden, "hidden")
	add(s.Excluded, "excluded by patterns")
	add(s.Binary, "binary")
	add(s.TooLarge, "over 10 MiB")
	add(s.Symlinks, "symbolic links")
	add(s.Unreadable, "unreadable")
	return strings.Join(parts, ", ")
}

// ScopeDir is the folder of an agent's knowledge bases under dataDir: the
// built-in default agent's is "q_cli_default"; another agent's is its name,
// made safe for a file name, and a hash of its file's path, so two agents
// of the same name in different places never share bases.
func ScopeDir(dataDir, agentName, agentFile string) string {
	if agentFile == "" && (agentName == "" || agentName == "q_cli_default") {
		return filepath.Join(dataDir, DirName, "q_cli_default")
	}
	safe := make([]byte, 0, len(agentName))
	for i := 0; i < len(agentName) && len(safe) < 48; i++ {
		c := agentName[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			safe = append(safe, c)
		} else {
			safe = append(safe, '_')
		}
	}
	sum := sha256.Sum256([]byte(agentName + "\x00" + agentFile))
	return filepath.Join(dataDir, DirName, string(safe)+"_"+hex.EncodeToString(sum[:6]))
}
