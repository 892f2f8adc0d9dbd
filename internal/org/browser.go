package org

import (
	"errors"
	"os/exec"
	"runtime"
	"strings"
)

// OpenBrowser opens url in the user's browser: the command in $BROWSER
// (the first of a colon-separated list; "%s" stands for the URL, which is
// otherwise the last argument), or the desktop's opener. It does not wait
// for the browser to exit.
func (c *Client) OpenBrowser(url string) error {
	name, args := browserCommand(c.Getenv("BROWSER"), runtime.GOOS, url)
	if name == "" {
		return errors.New("no browser: set BROWSER")
	}
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

// browserCommand returns the command that opens url.
func browserCommand(browserEnv, goos, url string) (string, []string) {
	if first, _, _ := strings.Cut(browserEnv, ":"); strings.TrimSpace(first) != "" {
		fields := strings.Fields(first)
		substituted := false
		for i, f := range fields {
			if strings.Contains(f, "%s") {
				fields[i] = strings.ReplaceAll(f, "%s", url)
				substituted = true
			}
		}
		if !substituted {
			fields = append(fields, url)
		}
		return fields[0], fields[1:]
	}
	switch goos {
	case "darwin":
		return "open", []string{url}
	case "windows":
		return "rundll32", []string{"url.dll,FileProtocolHandler", url}
	}
	return "xdg-open", []string{url}
}
