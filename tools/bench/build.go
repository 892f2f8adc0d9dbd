package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// benchBuild measures what a new contributor waits for: building q with an
// empty build cache (a fresh clone), then again after one package changed
// (the edit-build loop). The baseline is the same cold build of sdkfloor,
// the empty program linking q's SDKs: most of a cold build is theirs.
func benchBuild(_, dir string) error {
	cache := filepath.Join(dir, "gocache")
	cold := func(pkg string) (time.Duration, error) {
		if err := os.RemoveAll(cache); err != nil {
			return 0, err
		}
		return timedBuild(cache, filepath.Join(dir, "build-out"), pkg)
	}
	floor, err := cold("./tools/bench/sdkfloor")
	if err != nil {
		return err
	}
	qCold, err := cold("./cmd/q")
	if err != nil {
		return err
	}
	// A warm rebuild after an edit: the changed package and the ones that
	// import it recompile. An overlay stands in for editing a file, so the
	// checkout is never touched.
	overlay, err := editOverlay(dir, "internal/permission/decision.go")
	if err != nil {
		return err
	}
	qWarm, err := timedBuild(cache, filepath.Join(dir, "build-out"), "./cmd/q", "-overlay", overlay)
	if err != nil {
		return err
	}
	fmt.Printf("| `make build`, empty build cache | %.0f s | %.0f s (empty program linking the same SDKs, empty cache) | say it in the README |\n", qCold.Seconds(), floor.Seconds())
	fmt.Printf("| `make build` after editing internal/permission | %.1f s | | |\n", qWarm.Seconds())
	return nil
}

// timedBuild builds pkg with GOCACHE set to cache, as `make build` does.
func timedBuild(cache, out, pkg string, extra ...string) (time.Duration, error) {
	args := append([]string{"build", "-ldflags", "-s -w", "-o", out}, extra...)
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Env = append(os.Environ(), "GOCACHE="+cache, "CGO_ENABLED=0")
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("building %s: %w", pkg, err)
	}
	return time.Since(start), nil
}

// editOverlay writes a -overlay file that replaces path with a copy ending
// in one more declaration, which is what an edit costs the build.
func editOverlay(dir, path string) (string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	edited := filepath.Join(dir, "edited.go")
	if err := os.WriteFile(edited, append(src, []byte("\nvar _ = 1\n")...), 0o644); err != nil {
		return "", err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	overlay := filepath.Join(dir, "overlay.json")
	return overlay, os.WriteFile(overlay, []byte(fmt.Sprintf(`{"Replace":{%q:%q}}`, abs, edited)), 0o644)
}
