package tool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/qdev/qdev/internal/model"
)

// Run executes the operations. One operation returns its own result; a
// batch returns each result under an "=== Operation N … ===" header, as the
// original does, with any images after the text, and fails only when
// every operation failed.
func (c *readCall) Run(ctx context.Context, _ io.Writer) Result {
	start := time.Now()
	var r Result
	if len(c.in.Operations) == 1 {
		blocks, err := runReadOp(ctx, c.in.Operations[0])
		if err != nil {
			r = ErrorResult(err.Error())
		} else {
			r = Result{Content: blocks}
		}
	} else {
		r = c.runBatch(ctx)
	}
	for _, b := range r.Content {
		r.OutputBytes += int64(len(b.Text) + len(b.Data))
	}
	r.Duration = time.Since(start)
	return r
}

func (c *readCall) runBatch(ctx context.Context) Result {
	var parts []string
	var images []model.Block
	failed := 0
	for i, op := range c.in.Operations {
		blocks, err := runReadOp(ctx, op)
		if err != nil {
			failed++
			parts = append(parts, fmt.Sprintf("=== Operation %d Error ===\n%v", i+1, err))
			continue
		}
		if op.Mode == "Image" {
			images = append(images, blocks...)
			parts = append(parts, fmt.Sprintf("=== Operation %d Result (Images) ===\n[%d images processed]", i+1, len(blocks)))
			continue
		}
		parts = append(parts, fmt.Sprintf("=== Operation %d Result (Text) ===\n%s", i+1, blocks[0].Text))
	}
	text := strings.Join(parts, "\n\n")
	if len(text) > MaxResponseBytes {
		return ErrorResult(fmt.Sprintf("fs_read: the batch would return %d bytes, more than the %d a call may return; read fewer files or smaller line ranges", len(text), MaxResponseBytes))
	}
	r := Result{Content: append([]model.Block{{Type: model.TextBlock, Text: text}}, images...)}
	r.IsError = failed == len(c.in.Operations)
	return r
}

func runReadOp(ctx context.Context, op fsReadOp) ([]model.Block, error) {
	if err := ctx.Err(); err != nil {
		return nil, errors.New("cancelled")
	}
	var text string
	var err error
	switch op.Mode {
	case "Line":
		text, err = readLines(op.abs, op.Path, intOr(op.StartLine, 1), intOr(op.EndLine, -1))
	case "Search":
		text, err = searchFile(op.abs, op.Path, op.Pattern, intOr(op.ContextLines, 2))
	case "Directory":
		text, err = listDirectory(ctx, op.abs, intOr(op.Depth, 0))
	case "Image":
		return readImages(op.imageAbss)
	}
	if err != nil {
		return nil, err
	}
	return []model.Block{{Type: model.TextBlock, Text: text}}, nil
}
