package shell

import "strings"

// findArity gives the number of arguments of each find primary and option
// that neither runs, deletes nor writes.
var findArity = map[string]int{
	"-name": 1, "-iname": 1, "-path": 1, "-ipath": 1, "-wholename": 1, "-iwholename": 1,
	"-regex": 1, "-iregex": 1, "-type": 1, "-xtype": 1, "-size": 1, "-perm": 1, "-user": 1,
	"-group": 1, "-uid": 1, "-gid": 1, "-newer": 1, "-anewer": 1, "-cnewer": 1, "-mtime": 1,
	"-atime": 1, "-ctime": 1, "-mmin": 1, "-amin": 1, "-cmin": 1, "-links": 1, "-inum": 1,
	"-samefile": 1, "-lname": 1, "-ilname": 1, "-maxdepth": 1, "-mindepth": 1, "-used": 1,
	"-fstype": 1, "-context": 1, "-printf": 1, "-regextype": 1, "-files0-from": 1,
	"-print": 0, "-print0": 0, "-ls": 0, "-prune": 0, "-quit": 0, "-true": 0, "-false": 0,
	"-empty": 0, "-executable": 0, "-readable": 0, "-writable": 0, "-nouser": 0, "-nogroup": 0,
	"-depth": 0, "-d": 0, "-daystart": 0, "-follow": 0, "-mount": 0, "-xdev": 0, "-noleaf": 0,
	"-ignore_readdir_race": 0, "-noignore_readdir_race": 0, "-not": 0, "!": 0, "(": 0, ")": 0,
	"-a": 0, "-o": 0, "-and": 0, "-or": 0, ",": 0, "-help": 0, "--help": 0, "-version": 0, "--version": 0,
}

// findEffects are the primaries that run, delete or write, with their
// number of arguments (-1: up to ";" or "+").
var findEffects = map[string]int{"-exec": -1, "-execdir": -1, "-ok": -1, "-okdir": -1,
	"-delete": 0, "-fprint": 1, "-fprint0": 1, "-fls": 1, "-fprintf": 2}

// FindExpression walks find's arguments as find does: options (-H, -L, -P,
// -D, -O), then starting points, then an expression whose primaries take a
// known number of arguments, so "-name -delete" is a name, not an action.
// It calls action for each primary of findEffects with the bounds of its
// arguments in args, and reports false when a primary is unknown or lacks
// its arguments.
func FindExpression(args []string, action func(primary string, from, to int)) bool {
	i := 0
	for i < len(args) {
		if a := args[i]; a == "-H" || a == "-L" || a == "-P" || strings.HasPrefix(a, "-O") {
			i++
		} else if a == "-D" {
			i += 2
		} else {
			break
		}
	}
	for i < len(args) && !strings.HasPrefix(args[i], "-") && args[i] != "(" && args[i] != "!" {
		i++
	}
	for i < len(args) {
		a := args[i]
		if n, ok := findEffects[a]; ok {
			end := i + 1 + n
			if n < 0 {
				end = i + 1
				for end < len(args) && args[end] != ";" && args[end] != "+" {
					end++
				}
			}
			if end > len(args) {
				return false
			}
			action(a, i+1, end)
			i = end
			if n < 0 {
				i++ // the ";" or "+"
			}
			continue
		}
		n, ok := findArity[a]
		if !ok && len(a) == 8 && strings.HasPrefix(a, "-newer") {
			n, ok = 1, true // -newerXY
		}
		if !ok || i+n >= len(args) {
			return false
		}
		i += 1 + n
	}
	return true
}
