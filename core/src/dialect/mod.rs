//! The five seed APIs (DESIGN §8). Being written.
