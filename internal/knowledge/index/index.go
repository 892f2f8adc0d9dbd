// Package index is the knowledge bases' full-text index (bleve, BM25):
// it builds an index from files a knowledge.Store chose and judged, and
// searches indexes. q runs it in the qdev-knowledge helper (Serve), so
// that q itself does not link bleve.
package index

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en" // stop_en
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"

	"github.com/qdev/qdev/internal/knowledge"
)

// The fields a chunk is stored with.
const (
	fieldText  = "text"
	fieldPath  = "path"
	fieldStart = "start"
	fieldEnd   = "end"
	// analyzerName splits identifiers at case changes (parseConfig is
	// "parse" and "config"), lower-cases, drops English stop words and
	// stems, so "handling errors" finds "handleError".
	analyzerName = "qdev_text"
	// batchDocs is how many chunks go into the index at once.
	batchDocs = 1000
)

// chunkDoc is one chunk as the index stores it.
type chunkDoc struct {
	Path  string `json:"path"` // relative to the base's root
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// indexMapping indexes the text with BM25 scoring and only stores the
// rest; nothing else is indexed, to keep building fast.
func indexMapping() (mapping.IndexMapping, error) {
	m := bleve.NewIndexMapping()
	m.ScoringModel = bindex.BM25Scoring
	err := m.AddCustomAnalyzer(analyzerName, map[string]any{
		"type":          custom.Name,
		"tokenizer":     tokenizerName,
		"token_filters": []any{identifierFilterName, lowercase.Name, "stop_en", porter.Name},
	})
	if err != nil {
		return nil, err
	}
	doc := bleve.NewDocumentStaticMapping()
	text := bleve.NewTextFieldMapping()
	text.Analyzer = analyzerName
	text.Store = true
	text.IncludeInAll = false
	text.IncludeTermVectors = false
	text.DocValues = false
	doc.AddFieldMappingsAt(fieldText, text)
	stored := func(fm *mapping.FieldMapping) *mapping.FieldMapping {
		fm.Index, fm.Store, fm.IncludeInAll, fm.DocValues = false, true, false, false
		return fm
	}
	doc.AddFieldMappingsAt(fieldPath, stored(bleve.NewKeywordFieldMapping()))
	doc.AddFieldMappingsAt(fieldStart, stored(bleve.NewNumericFieldMapping()))
	doc.AddFieldMappingsAt(fieldEnd, stored(bleve.NewNumericFieldMapping()))
	// No composite "_all" field: only the text is searched.
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzerName
	m.StoreDynamic, m.IndexDynamic, m.DocValuesDynamic = false, false, false
	return m, nil
}

// Local is the in-process Backend: the helper serves it, and tests use it.
type Local struct{}

// Build implements knowledge.Backend.
func (Local) Build(ctx context.Context, req knowledge.BuildRequest, progress func(done, items int)) (knowledge.Built, error) {
	return buildIndex(ctx, req, progress)
}

// Search implements knowledge.Backend.
func (Local) Search(_ context.Context, req knowledge.SearchRequest) ([]knowledge.RawHit, error) {
	return searchIndexes(req)
}

// buildIndex indexes req.Files into a new index at req.Dir. Files are read
// and chunked on every core while one goroutine feeds the index in batches.
func buildIndex(ctx context.Context, req knowledge.BuildRequest, progress func(done, items int)) (knowledge.Built, error) {
	var b knowledge.Built
	if req.ChunkSize <= 0 || req.ChunkOverlap < 0 || req.ChunkOverlap >= req.ChunkSize {
		return b, fmt.Errorf("chunk size %d and overlap %d cannot chunk text", req.ChunkSize, req.ChunkOverlap)
	}
	m, err := indexMapping()
	if err != nil {
		return b, err
	}
	idx, err := bleve.New(req.Dir, m)
	if err != nil {
		return b, err
	}
	type result struct {
		i      int
		chunks []chunk
		err    error
		binary bool
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	results := make(chan result, 64)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r := result{i: i}
				data, err := readFile(req.Files[i])
				switch {
				case err != nil:
					r.err = err
				case isBinary(data):
					r.binary = true
				default:
					r.chunks = chunkText(string(data), req.ChunkSize, req.ChunkOverlap)
				}
				select {
				case results <- r:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(results)
		defer wg.Wait()
		defer close(jobs)
		for i := range req.Files {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()

	batch := idx.NewBatch()
	flush := func() error {
		if batch.Size() == 0 {
			return nil
		}
		err := idx.Batch(batch)
		batch.Reset()
		return err
	}
	var ferr error
	done := 0
	for r := range results {
		if ferr != nil || ctx.Err() != nil {
			continue // drain, so the workers end
		}
		switch {
		case r.err != nil:
			b.Unreadable++
		case r.binary:
			b.Binary++
		default:
			b.Files++
			rel := req.Files[r.i].Rel
			for ci, c := range r.chunks {
				id := strconv.Itoa(r.i) + ":" + strconv.Itoa(ci)
				if err := batch.Index(id, chunkDoc{Path: rel, Text: c.text, Start: c.start, End: c.end}); err != nil {
					ferr = err
					break
				}
				b.Items++
			}
		}
		done++
		if progress != nil {
			progress(done, b.Items)
		}
		if ferr == nil && batch.Size() >= batchDocs {
			ferr = flush()
		}
	}
	if ferr == nil {
		ferr = ctx.Err()
	}
	if ferr == nil {
		ferr = flush()
	}
	if err := idx.Close(); ferr == nil {
		ferr = err
	}
	return b, ferr
}

// searchIndexes runs req.Query over the indexes in req.Dirs and returns
// the best req.Size hits, best first.
func searchIndexes(req knowledge.SearchRequest) ([]knowledge.RawHit, error) {
	var opened []bleve.Index
	defer func() {
		for _, ix := range opened {
			_ = ix.Close()
		}
	}()
	alias := bleve.NewIndexAlias()
	position := map[string]int{}
	for i, dir := range req.Dirs {
		ix, err := bleve.OpenUsing(dir, map[string]any{"read_only": true, "bolt_timeout": "5s"})
		if err != nil {
			return nil, fmt.Errorf("the index in %s cannot be opened (%v); /knowledge update rebuilds it", dir, err)
		}
		name := strconv.Itoa(i)
		ix.SetName(name)
		opened = append(opened, ix)
		alias.Add(ix)
		position[name] = i
	}
	q := bleve.NewMatchQuery(req.Query)
	q.SetField(fieldText)
	sr := bleve.NewSearchRequestOptions(q, max(req.Size, 1), 0, false)
	sr.Fields = []string{fieldPath, fieldText, fieldStart, fieldEnd}
	res, err := alias.Search(sr)
	if err != nil {
		return nil, err
	}
	hits := make([]knowledge.RawHit, 0, len(res.Hits))
	for _, h := range res.Hits {
		i, ok := position[h.Index]
		rel, _ := h.Fields[fieldPath].(string)
		if !ok || rel == "" {
			continue
		}
		text, _ := h.Fields[fieldText].(string)
		start, _ := h.Fields[fieldStart].(float64)
		end, _ := h.Fields[fieldEnd].(float64)
		hits = append(hits, knowledge.RawHit{Index: i, Rel: rel, Start: int(start), End: int(end), Text: text, Score: h.Score})
	}
	return hits, nil
}
