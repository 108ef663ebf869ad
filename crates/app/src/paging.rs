//! Pages of lists: `?page=1&limit=50` (limit at most 100) and the `meta` block of every list answer.

use serde::Serialize;

use crate::AppError;
use crate::error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub limit: u32,
}

impl PageRequest {
    pub const MAX_LIMIT: u32 = 100;

    pub fn parse(page: Option<i64>, limit: Option<i64>) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let page = page.unwrap_or(1);
        let limit = limit.unwrap_or(50);
        if page < 1 || page > i64::from(u32::MAX) {
            errors.push(FieldError::new("page", "must be 1 or more"));
        }
        if !(1..=i64::from(Self::MAX_LIMIT)).contains(&limit) {
            errors.push(FieldError::new("limit", "must be from 1 to 100"));
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(Self {
            page: u32::try_from(page).unwrap_or(1),
            limit: u32::try_from(limit).unwrap_or(50),
        })
    }

    pub fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.limit)
    }

    pub fn limit(self) -> i64 {
        i64::from(self.limit)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PageMeta {
    pub page: u32,
    pub limit: u32,
    pub total: i64,
    pub total_pages: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Paged<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

impl<T> Paged<T> {
    pub fn new(data: Vec<T>, req: PageRequest, total: i64) -> Self {
        let limit = i64::from(req.limit);
        Self {
            data,
            meta: PageMeta {
                page: req.page,
                limit: req.limit,
                total,
                total_pages: (total + limit - 1) / limit,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded_and_counted() {
        assert_eq!(
            PageRequest::parse(None, None).unwrap(),
            PageRequest { page: 1, limit: 50 }
        );
        assert!(PageRequest::parse(Some(0), Some(101)).is_err());
        let p = PageRequest::parse(Some(3), Some(20)).unwrap();
        assert_eq!(p.offset(), 40);
        assert_eq!(Paged::new(vec![1], p, 41).meta.total_pages, 3);
        assert_eq!(Paged::<u8>::new(vec![], p, 0).meta.total_pages, 0);
    }
}
