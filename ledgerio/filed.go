package ledgerio

import (
	"bytes"

	"github.com/xuri/excelize/v2"
)

// FiledSheets reads a filed workbook back as the office's reader sees it: every sheet's rows,
// each cell as Excel shows it (a date as a date, a rate as a percentage), for showing the
// copy exactly as it was filed, read-only.
func FiledSheets(data []byte) ([]Sheet, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Sheet
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			return nil, err
		}
		out = append(out, Sheet{Name: name, Rows: rows})
	}
	return out, nil
}
