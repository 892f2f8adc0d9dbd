package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// goBenchMetric runs one Go benchmark and returns the value of a custom
// metric it reports with b.ReportMetric (e.g. "decisions/s").
func goBenchMetric(pkg, bench, metric string, extra ...string) (float64, error) {
	args := append([]string{"test", "-run", "^$", "-bench", "^" + bench + "$", "-count", "1"}, extra...)
	args = append(args, pkg)
	cmd := exec.Command("go", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || !strings.HasPrefix(f[0], bench) {
			continue
		}
		for i := 1; i < len(f); i++ {
			if f[i] == metric {
				return strconv.ParseFloat(f[i-1], 64)
			}
		}
	}
	return 0, fmt.Errorf("%s did not report %s:\n%s", bench, metric, out.String())
}
