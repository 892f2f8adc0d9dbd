package lineedit

import (
	"slices"
	"strings"
	"testing"
)

func TestLayoutOnScreen(t *testing.T) {
	tests := []struct {
		name           string
		prompt, text   string
		cursor, width  int
		screen         []string
		curRow, curCol int
	}{
		{"short", "> ", "hello", 2, 20, []string{"> hello"}, 0, 4},
		{"cursor at end", "> ", "hello", 5, 20, []string{"> hello"}, 0, 7},
		{"exact fill moves to next row", "> ", "12345678", 8, 10, []string{"> 12345678", ""}, 1, 0},
		{"wraps", "> ", "abcdefghijklmno", 3, 10, []string{"> abcdefgh", "ijklmno"}, 0, 5},
		{"cursor on wrapped row", "> ", "abcdefghijklmno", 10, 10, []string{"> abcdefgh", "ijklmno"}, 1, 2},
		{"wide rune does not split", "> ", "1234567日x", 9, 10, []string{"> 1234567", "日x"}, 1, 3},
		{"newlines", "> ", "ab\ncd\n", 1, 20, []string{"> ab", "cd"}, 0, 3},
		{"cursor after newline", "> ", "ab\ncd", 3, 20, []string{"> ab", "cd"}, 1, 0},
		{"coloured prompt", "\x1b[32m> \x1b[0m", "hi", 2, 20, []string{"> hi"}, 0, 4},
		{"prompt with newline", "[ctx]\n> ", "hi", 0, 20, []string{"[ctx]", "> hi"}, 1, 2},
		{"tab and control", "> ", "a\tb\x01", 4, 20, []string{"> a    b^A"}, 0, 10},
		{"empty", "", "", 0, 20, []string{""}, 0, 0},
		{"width one", "", "ab", 1, 1, []string{"a", "b"}, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := layout(tc.prompt, []rune(tc.text), tc.cursor, tc.width)
			if f.curRow != tc.curRow || f.curCol != tc.curCol {
				t.Errorf("layout cursor = (%d,%d), want (%d,%d)", f.curRow, f.curCol, tc.curRow, tc.curCol)
			}
			v := newVT(10, tc.width)
			v.write(redraw(0, f))
			if got := v.screen(); !slices.Equal(got, tc.screen) {
				t.Errorf("screen = %q, want %q", got, tc.screen)
			}
			if v.y != tc.curRow || v.x != tc.curCol {
				t.Errorf("terminal cursor = (%d,%d), want (%d,%d)", v.y, v.x, tc.curRow, tc.curCol)
			}
		})
	}
}

// TestRedrawSequence draws successive states of an edit, as the editor does,
// and checks that each redraw leaves exactly the new state on screen with
// the cursor where the layout says, including when rows are added and
// removed and the cursor sits on a lower row.
func TestRedrawSequence(t *testing.T) {
	const width = 12
	steps := []struct {
		text   string
		cursor int
	}{
		{"a", 1},
		{strings.Repeat("x", 30), 30},
		{strings.Repeat("x", 30), 5},
		{strings.Repeat("x", 30) + "\nline two\n", 40},
		{"short", 0},
		{"日本語の文字列はとても長いです", 9},
		{"", 0},
	}
	v := newVT(20, width)
	v.write("earlier output\r\n")
	top := v.y
	row := 0
	for i, st := range steps {
		f := layout("> ", []rune(st.text), st.cursor, width)
		v.write(redraw(row, f))
		row = f.curRow
		want := newVT(20, width)
		want.write("earlier output\r\n")
		want.write(f.out.String())
		if got, exp := v.lines(), want.lines(); !slices.Equal(got, exp) {
			t.Fatalf("step %d: screen = %q, want %q", i, got, exp)
		}
		if v.y-top != f.curRow || v.x != f.curCol {
			t.Fatalf("step %d: cursor = (%d,%d), want (%d,%d)", i, v.y-top, v.x, f.curRow, f.curCol)
		}
	}
}

func TestCell(t *testing.T) {
	tests := []struct {
		r     rune
		shown string
		width int
	}{
		{'a', "a", 1},
		{'é', "é", 1},
		{'日', "日", 2},
		{'한', "한", 2},
		{'😀', "😀", 2},
		{'\u0301', "\u0301", 0},
		{'\t', "    ", 4},
		{0x03, "^C", 2},
		{0x7f, "^?", 2},
		{0x85, "?", 1},
	}
	for _, tc := range tests {
		if s, w := cell(tc.r); s != tc.shown || w != tc.width {
			t.Errorf("cell(%U) = %q,%d, want %q,%d", tc.r, s, w, tc.shown, tc.width)
		}
	}
}
