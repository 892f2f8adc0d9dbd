package knowledge

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en" // stop_en
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/mapping"
	bindex "github.com/blevesearch/bleve_index_api"
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

// progress is what a running operation has done so far; the chat and
// /knowledge show read it while the operation writes it.
type progress struct {
	found atomic.Int64 // files found by the walk
	total atomic.Int64 // files to index, once the walk is done
	done  atomic.Int64 // files indexed
	items atomic.Int64 // chunks indexed
}

// built is the outcome of indexing a base's files.
type built struct {
	files, items       int
	binary, unreadable int
}

// buildIndex indexes files into a new index at dir. Files are read and
// chunked on every core while one goroutine feeds the index in batches.
func buildIndex(ctx context.Context, dir string, files []file, set Settings, prog *progress) (built, error) {
	m, err := indexMapping()
	if err != nil {
		return built{}, err
	}
	idx, err := bleve.New(dir, m)
	if err != nil {
		return built{}, err
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
				data, err := readFile(files[i])
				switch {
				case err != nil:
					r.err = err
				case isBinary(data):
					r.binary = true
				default:
					r.chunks = chunkText(string(data), set.ChunkSize, set.ChunkOverlap)
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
		for i := range files {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()

	var b built
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
	for r := range results {
		if ferr != nil || ctx.Err() != nil {
			continue // drain, so the workers end
		}
		switch {
		case r.err != nil:
			b.unreadable++
		case r.binary:
			b.binary++
		default:
			b.files++
			rel := files[r.i].rel
			for ci, c := range r.chunks {
				id := strconv.Itoa(r.i) + ":" + strconv.Itoa(ci)
				if err := batch.Index(id, chunkDoc{Path: rel, Text: c.text, Start: c.start, End: c.end}); err != nil {
					ferr = err
					break
				}
				b.items++
			}
			prog.items.Add(int64(len(r.chunks)))
		}
		prog.done.Add(1)
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

// Hit is one search result.
type Hit struct {
	Base Base
	// Path is the file's absolute path, Rel the same below the base's root.
	Path, Rel  string
	Start, End int
	Text       string
	Score      float64
}

// searchIndexes runs query over the indexes in dirs (one per base, in
// bases' order) and returns the best size hits, best first.
func searchIndexes(bases []Base, dirs []string, query string, size int) ([]Hit, error) {
	var opened []bleve.Index
	defer func() {
		for _, ix := range opened {
			_ = ix.Close()
		}
	}()
	alias := bleve.NewIndexAlias()
	byName := map[string]Base{}
	for i, dir := range dirs {
		ix, err := bleve.OpenUsing(dir, map[string]any{"read_only": true, "bolt_timeout": "5s"})
		if err != nil {
			return nil, errors.New(bases[i].Name + ": its index cannot be opened (" + err.Error() + "); /knowledge update " + bases[i].Name + " rebuilds it")
		}
		name := strconv.Itoa(i)
		ix.SetName(name)
		opened = append(opened, ix)
		alias.Add(ix)
		byName[name] = bases[i]
	}
	q := bleve.NewMatchQuery(query)
	q.SetField(fieldText)
	req := bleve.NewSearchRequestOptions(q, size, 0, false)
	req.Fields = []string{fieldPath, fieldText, fieldStart, fieldEnd}
	res, err := alias.Search(req)
	if err != nil {
		return nil, err
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		base, ok := byName[h.Index]
		rel, _ := h.Fields[fieldPath].(string)
		if !ok || rel == "" {
			continue
		}
		text, _ := h.Fields[fieldText].(string)
		start, _ := h.Fields[fieldStart].(float64)
		end, _ := h.Fields[fieldEnd].(float64)
		abs := base.Path
		if !base.IsFile {
			abs = filepath.Join(base.Path, filepath.FromSlash(rel))
		}
		hits = append(hits, Hit{Base: base, Path: abs, Rel: rel, Start: int(start), End: int(end), Text: text, Score: h.Score})
	}
	return hits, nil
}
