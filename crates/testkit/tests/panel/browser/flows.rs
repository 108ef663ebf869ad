//! Whole flows across areas (added once the areas' pages exist).
