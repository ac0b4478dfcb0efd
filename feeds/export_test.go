package feeds

// Test hooks.

// Renders counts every document render since New.
func (s *Service) Renders() int64 { return s.docs.renders.Load() }

// WaitRendered returns once the background renderer has nothing left to do.
func (s *Service) WaitRendered() { s.docs.waitIdle() }

// Documents is the export catalogue.
func (s *Service) Documents() []string { return s.documents() }

// ExportFile is the export's file for a URL path.
func ExportFile(p string) (string, error) { return exportFile(p) }
