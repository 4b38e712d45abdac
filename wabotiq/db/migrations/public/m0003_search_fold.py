"""An immutable text folding function for search: generated columns cannot call `unaccent`
directly (it is only STABLE, because its dictionary could change)."""

SQL = """
CREATE FUNCTION public.search_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN extensions.unaccent('extensions.unaccent'::regdictionary, lower($1));
"""
