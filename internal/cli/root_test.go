package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// A word after q that is no command is an error with status 2, never a
// prompt: `q hello` must not reach a model.
func TestUnknownCommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"hello"}, `unknown command "hello" for "q"; to chat, run q chat "hello"`},
		{[]string{"-v", "foo", "bar"}, `unknown command "foo" for "q"; to chat, run q chat "foo bar"`},
		{[]string{"setings"}, `unknown command "setings" for "q" (did you mean "settings"?); to chat, run q chat "setings"`},
	} {
		var out, errOut bytes.Buffer
		root := NewRoot(IO{Out: &out, ErrOut: &errOut})
		root.SetArgs(tc.args)
		err := root.Execute()
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Code != 2 || err.Error() != tc.want {
			t.Errorf("q %v: err %v, want exit 2 with %q", tc.args, err, tc.want)
		}
		if strings.Contains(err.Error(), "\n") || out.Len() > 0 {
			t.Errorf("q %v: more than one line of output: %q %q", tc.args, err, out.String())
		}
	}
}
