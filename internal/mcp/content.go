package mcp

import (
	"encoding/json"
	"fmt"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/qdev/qdev/internal/model"
)

// modelImageTypes are the image types every provider accepts.
var modelImageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// toolContent converts a tools/call result into blocks for the model. When
// a server returns only structured content, its JSON is the text.
func toolContent(res *sdk.CallToolResult) []model.Block {
	var out []model.Block
	for _, c := range res.Content {
		out = append(out, contentBlock(c))
	}
	if len(out) == 0 && res.StructuredContent != nil {
		if b, err := json.Marshal(res.StructuredContent); err == nil {
			out = append(out, model.Block{Type: model.TextBlock, Text: string(b)})
		}
	}
	return out
}

// contentBlock converts one MCP content item. Kinds a model cannot take
// (audio, unusual image types, binary resources) become a text note, so the
// model still learns that something was returned.
func contentBlock(c sdk.Content) model.Block {
	text := func(s string) model.Block { return model.Block{Type: model.TextBlock, Text: s} }
	switch c := c.(type) {
	case *sdk.TextContent:
		return text(c.Text)
	case *sdk.ImageContent:
		if modelImageTypes[c.MIMEType] {
			return model.Block{Type: model.ImageBlock, MediaType: c.MIMEType, Data: c.Data}
		}
		return text(fmt.Sprintf("[image of type %s, %d bytes, not shown]", c.MIMEType, len(c.Data)))
	case *sdk.AudioContent:
		return text(fmt.Sprintf("[audio of type %s, %d bytes, not shown]", c.MIMEType, len(c.Data)))
	case *sdk.ResourceLink:
		return text(fmt.Sprintf("[resource %s: %s]", c.Name, c.URI))
	case *sdk.EmbeddedResource:
		if c.Resource != nil {
			return resourceBlock(c.Resource)
		}
	}
	return text(fmt.Sprintf("[unsupported content %T]", c))
}

// resourceBlock converts the contents of a resource.
func resourceBlock(r *sdk.ResourceContents) model.Block {
	switch {
	case r.Blob == nil:
		return model.Block{Type: model.TextBlock, Text: r.Text}
	case modelImageTypes[r.MIMEType]:
		return model.Block{Type: model.ImageBlock, MediaType: r.MIMEType, Data: r.Blob}
	}
	mime := r.MIMEType
	if mime == "" {
		mime = "unknown type"
	}
	return model.Block{Type: model.TextBlock, Text: fmt.Sprintf("[binary resource %s (%s), %d bytes, not shown]", r.URI, mime, len(r.Blob))}
}
