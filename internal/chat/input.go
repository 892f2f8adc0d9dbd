package chat

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/editor"
	"github.com/qdev/qdev/internal/model"
)

// SanitizeUnicode strips invisible characters that can smuggle instructions
// past a reader (tag characters, zero-width and bidi controls), the ranges
// the Q CLI strips.
func SanitizeUnicode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xE0000 && r <= 0xE007F,
			r >= 0x200B && r <= 0x200F,
			r >= 0x2028 && r <= 0x202F,
			r >= 0x205F && r <= 0x206F,
			r >= 0xFFF0 && r <= 0xFFFC,
			r == 0xFFFE || r == 0xFFFF:
			return -1
		}
		return r
	}, s)
}

var imageTypes = map[string]string{".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".gif": "image/gif", ".webp": "image/webp"}

const (
	maxImages     = 10
	maxImageBytes = 10 << 20
)

// PromptBlocks turns a prompt into message content: the text, plus the
// images whose paths it mentions (drag-and-drop puts paths in the prompt).
// Images over the limits are refused with a warning; nil means send nothing.
func PromptBlocks(text, cwd string) ([]model.Block, []string) {
	blocks := []model.Block{{Type: model.TextBlock, Text: text}}
	var warnings []string
	for _, word := range strings.Fields(text) {
		word = strings.TrimRight(strings.Trim(word, "\"'`()[]<>"), "?!,;:.")
		mt, ok := imageTypes[strings.ToLower(filepath.Ext(word))]
		if !ok {
			continue
		}
		path := expandHome(word, cwd)
		info, err := os.Stat(path)
		if err != nil || info.IsDir() {
			continue
		}
		if info.Size() >= maxImageBytes {
			return nil, []string{fmt.Sprintf("%s is %d MB; images must be under 10 MB.", word, info.Size()>>20)}
		}
		if len(blocks) > maxImages {
			return nil, []string{"At most 10 images can be sent in one message."}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("Cannot read %s: %v", word, err))
			continue
		}
		blocks = append(blocks, model.Block{Type: model.ImageBlock, MediaType: mt, Data: data})
	}
	return blocks, warnings
}

// cmdEditor composes a prompt in $EDITOR: a fresh .md temp file, removed
// afterwards; an empty file sends nothing.
func (s *Session) cmdEditor(ctx context.Context, args []string) error {
	f, err := os.CreateTemp("", "qdev-prompt-*.md")
	if err != nil {
		fmt.Fprintf(s.Info, "Cannot create a temporary file: %v\n", err)
		return nil
	}
	path := f.Name()
	defer os.Remove(path)
	if len(args) > 0 {
		_, _ = f.WriteString(strings.Join(args, " "))
	}
	f.Close()
	cmd := editor.Command(ctx, path)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	back := s.tty.userMode()
	err = cmd.Run()
	back()
	if err != nil {
		fmt.Fprintf(s.Info, "The editor %q failed: %v\n", strings.Join(editor.Argv(), " "), err)
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil || strings.TrimSpace(string(data)) == "" {
		fmt.Fprintln(s.Info, "Empty prompt; nothing sent.")
		return nil
	}
	text := strings.TrimRight(string(data), "\n")
	fmt.Fprintln(s.Info, text)
	return s.send(ctx, text)
}
