package mcp

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"
)

// Naming rules of the Q CLI's tool manager.
const (
	// maxToolNameLen is the longest model-facing name; longer ones are rejected.
	maxToolNameLen = 64
	// maxDescriptionLen is where long descriptions are cut.
	maxDescriptionLen = 10_004
	// namespaceDelimiter was the server/tool separator of older releases; it
	// is still removed from names so old and new names cannot be confused.
	namespaceDelimiter = "___"
)

var validToolName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]*$`)

// sanitizeName makes orig a valid model-facing name: illegal characters and
// "___" are removed and an "a" is prefixed when the name would not start
// with a letter. A name with nothing left becomes "a" and a 3-digit hash.
func sanitizeName(orig string) string {
	if validToolName.MatchString(orig) && !strings.Contains(orig, namespaceDelimiter) {
		return orig
	}
	var b strings.Builder
	for _, c := range orig {
		if c < 128 && (c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	s := strings.ReplaceAll(b.String(), namespaceDelimiter, "")
	if s == "" {
		h := fnv.New64a()
		h.Write([]byte(orig))
		return fmt.Sprintf("a%03d", h.Sum64()%1000)
	}
	if c := s[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		s = "a" + s
	}
	return s
}

// toolEntry is one MCP tool as the model sees it.
type toolEntry struct {
	model       string // model-facing name
	host        string // the server's own name for the tool
	description string
	schema      any
}

// nameTable maps model-facing names to their server; it is the Manager's
// single source of truth for which server owns a name.
type nameTable struct {
	owner    map[string]string // model name -> server
	reserved map[string]bool   // built-in tool names
}

// taken reports whether name is used by a built-in, another server or this
// server's tools named so far.
func (t *nameTable) taken(name string, local map[string]bool) bool {
	return t.reserved[name] || t.owner[name] != "" || local[name]
}

func newNameTable(reserved []string) *nameTable {
	t := &nameTable{owner: map[string]string{}, reserved: map[string]bool{}}
	for _, r := range reserved {
		t.reserved[r] = true
	}
	return t
}

// assign names the tools of server, replacing its previous names. As in the
// Q CLI: an alias ("@server/tool" in toolAliases) wins; otherwise an invalid
// name is sanitised, with "1"s appended while it clashes with another tool
// of the same server; names over 64 characters and tools without a
// description are left out. A name already owned by another server (first
// come, first served, so names stay stable for the session) or by a
// built-in tool is renamed "<server>_<tool>" — where the Q CLI rejects it
// and asks for an alias; an alias that clashes is still rejected.
func (t *nameTable) assign(server string, tools []rawTool, aliases map[string]string) ([]toolEntry, []string) {
	t.release(server)
	local := map[string]bool{}
	var out []toolEntry
	var outOfSpec, conflicts []string
	for _, rt := range tools {
		name, aliased := aliases["@"+server+"/"+rt.name]
		if !aliased {
			name = rt.name
			if !validToolName.MatchString(name) {
				name = sanitizeName(name)
				for local[name] {
					name += "1"
				}
			}
		}
		if !aliased && t.taken(name, local) {
			// Automatic renaming on a clash with a built-in or another
			// server's tool: the server's name goes in front.
			name = sanitizeName(server) + "_" + name
			for t.taken(name, local) {
				name += "1"
			}
		}
		switch {
		case len(name) > maxToolNameLen:
			outOfSpec = append(outOfSpec, fmt.Sprintf(" - %s (tool name exceeds max length of %d)", rt.name, maxToolNameLen))
			continue
		case strings.TrimSpace(rt.description) == "":
			outOfSpec = append(outOfSpec, fmt.Sprintf(" - %s (tool schema contains empty description)", rt.name))
			continue
		case t.reserved[name] || t.owner[name] != "" || local[name]:
			from := t.owner[name]
			if from == "" {
				from = "qdev"
				if local[name] {
					from = server
				}
			}
			conflicts = append(conflicts, fmt.Sprintf(" - %s from %s", name, from))
			continue
		}
		local[name] = true
		desc := rt.description
		if len(desc) > maxDescriptionLen {
			desc = desc[:maxDescriptionLen]
		}
		out = append(out, toolEntry{model: name, host: rt.name, description: desc, schema: rt.schema})
	}
	for _, e := range out {
		t.owner[e.model] = server
	}
	var warnings []string
	if len(outOfSpec) > 0 {
		warnings = append(warnings, "The following tools are out of spec. They will be excluded from the list of available tools:\n"+strings.Join(outOfSpec, "\n"))
	}
	if len(conflicts) > 0 {
		warnings = append(warnings, "The following tools are rejected because they conflict with existing tools in names. Avoid this via setting aliases for them:\n"+strings.Join(conflicts, "\n"))
	}
	var renamed []string
	for _, e := range out {
		if e.model != e.host {
			renamed = append(renamed, fmt.Sprintf(" - %s -> %s", e.host, e.model))
		}
	}
	if len(renamed) > 0 {
		warnings = append(warnings, "The following tool names are changed:\n"+strings.Join(renamed, "\n"))
	}
	return out, warnings
}

// release forgets the names of server.
func (t *nameTable) release(server string) {
	for name, s := range t.owner {
		if s == server {
			delete(t.owner, name)
		}
	}
}

// rawTool is what a server said about one tool.
type rawTool struct {
	name, description string
	schema            any
}
