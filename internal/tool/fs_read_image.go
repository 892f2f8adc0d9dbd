package tool

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/qdev/qdev/internal/model"
)

// Image limits, as the original's (util/images.rs).
const (
	maxImages     = 10
	maxImageBytes = 10 << 20
)

// imageTypes maps the accepted extensions to media types.
var imageTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
	".gif": "image/gif", ".webp": "image/webp",
}

func prepareImages(env *Env, op *fsReadOp) error {
	if len(op.ImagePaths) == 0 {
		return errors.New("mode Image needs image_paths")
	}
	if len(op.ImagePaths) > maxImages {
		return fmt.Errorf("at most %d images can be read at once, not %d", maxImages, len(op.ImagePaths))
	}
	for _, p := range op.ImagePaths {
		abs, err := resolvePath(env, p)
		if err != nil {
			return fmt.Errorf("image path: %v", err)
		}
		if _, ok := imageTypes[strings.ToLower(filepath.Ext(abs))]; !ok {
			return fmt.Errorf("%s is not a supported image type (jpg, jpeg, png, gif, webp)", p)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return describeStatErr(p, err)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s is not a file", p)
		}
		if fi.Size() >= maxImageBytes {
			return fmt.Errorf("%s is %d bytes; images must be smaller than 10 MiB", p, fi.Size())
		}
		op.imageAbss = append(op.imageAbss, abs)
	}
	return nil
}

// readImages loads the images as image blocks. The media type comes from
// the file's content, and a file whose content is not a supported image
// fails, so the provider is never sent a mislabelled image.
func readImages(paths []string) ([]model.Block, error) {
	var blocks []model.Block
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, describeStatErr(p, err)
		}
		if fi.Size() >= maxImageBytes {
			return nil, fmt.Errorf("%s is %d bytes; images must be smaller than 10 MiB", p, fi.Size())
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, describeStatErr(p, err)
		}
		mt := sniffImage(data)
		if mt == "" {
			return nil, fmt.Errorf("%s is not a valid jpg, png, gif or webp image", p)
		}
		blocks = append(blocks, model.Block{Type: model.ImageBlock, MediaType: mt, Data: data})
	}
	return blocks, nil
}

// sniffImage returns the media type of a supported image, or "".
func sniffImage(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "image/gif"
	case len(data) >= 12 && bytes.Equal(data[:4], []byte("RIFF")) && bytes.Equal(data[8:12], []byte("WEBP")):
		return "image/webp"
	}
	return ""
}
