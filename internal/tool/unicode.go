package tool

import "strings"

// hiddenRanges are the invisible code points the original strips from user
// input and command output: tag
// characters, zero-width and bidi controls, line/paragraph separators,
// invisible operators and specials. They can smuggle instructions to the
// model that a human reviewing the output cannot see.
var hiddenRanges = [][2]rune{
	{0xE0000, 0xE007F},
	{0x200B, 0x200F},
	{0x2028, 0x202F},
	{0x205F, 0x206F},
	{0xFFF0, 0xFFFC},
	{0xFFFE, 0xFFFF},
}

func isHidden(r rune) bool {
	for _, rg := range hiddenRanges {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}

// SanitizeUnicode returns s without the hidden Unicode characters listed in
// hiddenRanges; other text, including invalid UTF-8 replaced by U+FFFD, is
// kept.
func SanitizeUnicode(s string) string {
	if strings.IndexFunc(s, isHidden) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isHidden(r) {
			return -1
		}
		return r
	}, s)
}
