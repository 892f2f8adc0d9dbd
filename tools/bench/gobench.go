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
	v, err := goBenchMetrics(pkg, bench, []string{metric}, extra...)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// goBenchMetrics runs one Go benchmark once and returns the values of the
// custom metrics it reports, in the order asked for.
func goBenchMetrics(pkg, bench string, metrics []string, extra ...string) ([]float64, error) {
	args := append([]string{"test", "-run", "^$", "-bench", "^" + bench + "$", "-count", "1"}, extra...)
	args = append(args, pkg)
	cmd := exec.Command("go", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	values := make([]float64, len(metrics))
	found := make([]bool, len(metrics))
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || !strings.HasPrefix(f[0], bench) {
			continue
		}
		for i := 1; i < len(f); i++ {
			for m, name := range metrics {
				if f[i] == name {
					v, err := strconv.ParseFloat(f[i-1], 64)
					if err != nil {
						return nil, err
					}
					values[m], found[m] = v, true
				}
			}
		}
	}
	for m, ok := range found {
		if !ok {
			return nil, fmt.Errorf("%s did not report %s:\n%s", bench, metrics[m], out.String())
		}
	}
	return values, nil
}
