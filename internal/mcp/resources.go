package mcp

import (
	"context"
	"errors"
	"fmt"
	"sort"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/qdev/qdev/internal/model"
)

// Resource is a resource a server offers, for attaching to the context.
type Resource struct {
	Server      string
	URI         string
	Name        string
	Description string
	MIMEType    string
}

// Resources lists the resources of the ready servers that advertise them,
// sorted by server, then URI. Servers that fail to answer are left out and
// named in the error; the others' resources are still returned.
func (m *Manager) Resources(ctx context.Context) ([]Resource, error) {
	var out []Resource
	var errs []error
	for _, s := range m.snapshot() {
		m.mu.Lock()
		c, ok := s.conn, s.state == StateReady && s.resources
		m.mu.Unlock()
		if !ok {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
		for r, err := range c.session.Resources(cctx, nil) {
			if err != nil {
				errs = append(errs, fmt.Errorf("MCP server %s: resources/list: %v", s.cfg.Name, err))
				break
			}
			out = append(out, Resource{Server: s.cfg.Name, URI: r.URI, Name: r.Name, Description: r.Description, MIMEType: r.MIMEType})
		}
		cancel()
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Server != out[j].Server {
			return out[i].Server < out[j].Server
		}
		return out[i].URI < out[j].URI
	})
	return out, errors.Join(errs...)
}

// ReadResource reads uri from server and returns its contents as blocks:
// text as text, images as images, other binary data as a short note.
func (m *Manager) ReadResource(ctx context.Context, server, uri string) ([]model.Block, error) {
	s := m.lookup(server)
	if s == nil {
		return nil, fmt.Errorf("no MCP server named %q", server)
	}
	c, err := s.session(ctx)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	res, err := c.session.ReadResource(cctx, &sdk.ReadResourceParams{URI: uri})
	if err != nil {
		return nil, fmt.Errorf("resource %s (server %s): %w", uri, server, s.requestFailed(ctx, cctx, c, err))
	}
	var out []model.Block
	for _, rc := range res.Contents {
		if rc != nil {
			out = append(out, resourceBlock(rc))
		}
	}
	return out, nil
}
