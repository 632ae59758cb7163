//! A value shared between copies until one of them changes it.

use std::ops::{Deref, DerefMut};
use std::rc::Rc;

/// `T` behind a reference count, copied only when a holder writes to it.
/// A lane's checkpoints copy the lane after every action; state that only
/// some kinds of lane use (FTP sessions, the database) costs them a count,
/// and a build without those kinds carries no code to copy it: the copy
/// is reached only through a write, which only that kind's code makes.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct OnWrite<T>(Rc<T>);

impl<T> Clone for OnWrite<T> {
    fn clone(&self) -> Self {
        OnWrite(Rc::clone(&self.0))
    }
}

impl<T> Deref for OnWrite<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> DerefMut for OnWrite<T> {
    fn deref_mut(&mut self) -> &mut T {
        Rc::make_mut(&mut self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_keeps_the_value_it_was_made_with_when_the_original_changes() {
        let mut a = OnWrite::<Vec<u8>>::default();
        a.push(1);
        let b = a.clone();
        assert!(Rc::ptr_eq(&a.0, &b.0), "a copy shares the value until a write");
        a.push(2);
        assert!(!Rc::ptr_eq(&a.0, &b.0));
        assert_eq!((&a[..], &b[..]), (&[1, 2][..], &[1][..]));
    }
}
