package feeds

// PagePaths exposes pagePaths to the external tests.
func PagePaths(s *Service) []string { return s.pagePaths() }
