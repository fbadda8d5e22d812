package domain

// labelOf is the German name of v in labels, or v itself when labels has
// none: a value without a German name shows as it is stored.
func labelOf[T ~string](labels map[T]string, v T) string {
	if l, ok := labels[v]; ok {
		return l
	}
	return string(v)
}
