package e2e

import (
	"github.com/qdev/qdev/internal/model"
	"github.com/qdev/qdev/internal/model/modeltest"
)

var modelUsage = model.Usage{InputTokens: 120, OutputTokens: 7}

// TurnHang streams text and then waits until the client goes away.
func TurnHang(s string) modeltest.Turn { return modeltest.Turn{Text: []string{s}, Hang: true} }

var modelUsageBig = model.Usage{InputTokens: 9000, OutputTokens: 10}
