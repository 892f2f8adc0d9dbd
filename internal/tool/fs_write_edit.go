package tool

import (
	"fmt"
	"strings"
)

// apply returns the file content after the edit.
func (c *writeCall) apply(old string, exists bool) (string, error) {
	shown := displayPath(c.env, c.path)
	switch c.in.Command {
	case "create":
		// Models sometimes send the content as new_str; the original
		// accepts that too.
		text := ""
		if c.in.FileText != nil {
			text = *c.in.FileText
		} else {
			text = *c.in.NewStr
		}
		return withFinalNewline(text), nil
	case "str_replace":
		oldStr := *c.in.OldStr
		switch n := strings.Count(old, oldStr); n {
		case 0:
			return "", fmt.Errorf("no match for old_str in %s", shown)
		case 1:
			return strings.Replace(old, oldStr, *c.in.NewStr, 1), nil
		default:
			return "", fmt.Errorf("old_str occurs %d times in %s; add context to make it unique", n, shown)
		}
	case "insert":
		line := min(*c.in.InsertLine, len(splitLines(old)))
		off := 0
		for i := 0; i < line; i++ {
			nl := strings.IndexByte(old[off:], '\n')
			if nl < 0 {
				off = len(old)
				break
			}
			off += nl + 1
		}
		ins := *c.in.NewStr
		if ins != "" && !strings.HasSuffix(ins, "\n") {
			ins += "\n"
		}
		if off == len(old) && old != "" && !strings.HasSuffix(old, "\n") {
			ins = "\n" + ins
		}
		return withFinalNewline(old[:off] + ins + old[off:]), nil
	default: // append
		if old != "" && !strings.HasSuffix(old, "\n") {
			old += "\n"
		}
		return withFinalNewline(old + *c.in.NewStr), nil
	}
}

// withFinalNewline ends non-empty text with a newline, as the original's
// write_to_file does.
func withFinalNewline(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}
