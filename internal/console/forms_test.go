package console

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/qdev/qdev/internal/orgadmin"
)

func TestTierForm(t *testing.T) {
	name, req, err := tierForm(url.Values{"name": {" Team "}, "rank": {""}, "requests_per_day": {" 500 "},
		"requests_per_month": {""}, "tokens_per_month": {"0"}, "models": {"m1, m 2,,"}, "features": {""}})
	if err != nil || name != "Team" || req.Rank != 0 || *req.RequestsPerDay != 500 || req.RequestsPerMonth != nil ||
		*req.TokensPerMonth != 0 || strings.Join(req.Models, "|") != "m1|m 2" || req.Features != nil {
		t.Fatalf("tierForm = %q %+v %v", name, req, err)
	}
}

// FuzzTierForm: any posted tier form is read, or refused naming one of its
// fields; never a panic, never Go's own words.
func FuzzTierForm(f *testing.F) {
	f.Add("name=Team&requests_per_day=500&models=a,b")
	f.Add("rank=-1&tokens_per_month=1e9")
	f.Add("requests_per_month=99999999999999999999&features=%2C%2C")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		_, req, err := tierForm(form)
		if err != nil {
			var fe *orgadmin.FieldError
			if !errors.As(err, &fe) || form[fe.Field] == nil || strings.Contains(fe.Msg, "strconv") {
				t.Fatalf("tierForm(%q): %v", body, err)
			}
			return
		}
		for _, m := range append(req.Models, req.Features...) {
			if m == "" || strings.Contains(m, ",") || strings.TrimSpace(m) != m {
				t.Fatalf("tierForm(%q) lists %q", body, m)
			}
		}
	})
}
