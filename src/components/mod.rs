pub mod lane;
