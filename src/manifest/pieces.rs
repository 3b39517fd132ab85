//! The per-document outputs of one source, held as the pieces they were parsed in.
//!
//! A large stream is parsed in parallel pieces. Joining the pieces' outputs into one vector
//! would hold every output twice at the moment of the copy (for 100k small documents, the
//! largest allocation of the whole read), so they stay apart and are walked in order;
//! consuming them frees each piece as soon as it is used up.

/// Outputs in document order, split where the source was cut.
#[derive(Debug)]
pub struct Pieces<T>(Vec<Vec<T>>);

impl<T> Default for Pieces<T> {
    fn default() -> Self {
        Pieces(Vec::new())
    }
}

/// Equal when the outputs are, in order, wherever the pieces were cut.
impl<T: PartialEq> PartialEq for Pieces<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: Eq> Eq for Pieces<T> {}

impl<T> From<Vec<T>> for Pieces<T> {
    fn from(outputs: Vec<T>) -> Self {
        Pieces(vec![outputs])
    }
}

impl<T> Pieces<T> {
    /// The outputs of consecutive pieces, in their order.
    pub fn of(pieces: Vec<Vec<T>>) -> Self {
        Pieces(pieces)
    }

    /// Several inputs' outputs as one sequence (their pieces side by side; nothing is copied
    /// but the pieces' handles).
    pub fn concat(all: impl IntoIterator<Item = Pieces<T>>) -> Self {
        Pieces(all.into_iter().flat_map(|p| p.0).collect())
    }

    pub fn len(&self) -> usize {
        self.0.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Vec::is_empty)
    }

    pub fn first(&self) -> Option<&T> {
        self.iter().next()
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.0.iter().flatten()
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.0.iter_mut().flatten()
    }

    /// Each output mapped piece by piece, every piece's vector reused for its results where
    /// the result fits in the output's place (no second vector beside the first).
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Pieces<U> {
        Pieces(
            self.0
                .into_iter()
                .map(|piece| piece.into_iter().map(&mut f).collect())
                .collect(),
        )
    }
}

impl<T> IntoIterator for Pieces<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> IntoIter<T> {
        IntoIter {
            left: self.len(),
            pieces: self.0.into_iter(),
            current: Vec::new().into_iter(),
        }
    }
}

/// The outputs by value, each piece freed once it is used up; its length is exact, so a
/// vector collected from it is sized once.
pub struct IntoIter<T> {
    left: usize,
    pieces: std::vec::IntoIter<Vec<T>>,
    current: std::vec::IntoIter<T>,
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        loop {
            if let Some(item) = self.current.next() {
                self.left -= 1;
                return Some(item);
            }
            // The used-up piece is dropped here, before the next one is read.
            self.current = self.pieces.next()?.into_iter();
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<T> ExactSizeIterator for IntoIter<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_read_as_one_sequence_in_order() {
        let pieces = Pieces::of(vec![vec![1, 2], vec![], vec![3], vec![4, 5, 6]]);
        assert_eq!(pieces.len(), 6);
        assert!(!pieces.is_empty());
        assert_eq!(pieces.first(), Some(&1));
        assert_eq!(
            pieces.iter().copied().collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6]
        );
        let doubled = pieces.map(|n| n * 2);
        let mut all = doubled.into_iter();
        assert_eq!(all.len(), 6);
        assert_eq!(all.next(), Some(2));
        assert_eq!(all.len(), 5);
        assert_eq!(all.collect::<Vec<_>>(), [4, 6, 8, 10, 12]);
        assert!(Pieces::<u8>::of(vec![vec![], vec![]]).is_empty());
        assert_eq!(
            Pieces::of(vec![vec![1], vec![2, 3]]),
            Pieces::from(vec![1, 2, 3])
        );
        assert_ne!(
            Pieces::of(vec![vec![1], vec![3]]),
            Pieces::from(vec![1, 3, 3])
        );
        assert_eq!(Pieces::from(vec!['a']).into_iter().collect::<String>(), "a");
        let joined = Pieces::concat([Pieces::of(vec![vec![1], vec![2]]), Pieces::from(vec![3])]);
        assert_eq!(joined.into_iter().collect::<Vec<_>>(), [1, 2, 3]);
    }
}
