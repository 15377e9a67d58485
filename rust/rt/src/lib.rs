// SPDX-License-Identifier: GPL-2.0
//! xf_rt - the runtime crate of the Rust xdp_filter: every `unsafe` of the
//! Rust implementation lives here, behind a small safe API shaped like Rex's
//! (`xdp.ip_header(at)`, `xdp.udp_header(at)`, map `get`/`insert`, per-CPU
//! counters, fields of a map element read, written and updated
//! atomically in place (add, swap, compare-and-swap), a map of maps and the
//! hash maps it holds, a ring buffer, the clock, the host's TCP sockets
//! and conntrack asked about a flow), so the program crate can be
//! `#![forbid(unsafe_code)]`.
//!
//! Policy: the program crate never sees a raw pointer. Packet bytes are read
//! only after a bounds check against `data_end` (the check the verifier
//! demands), map values are copied out or updated here, and the items that
//! the loader must find by name and section (program, maps, license) are
//! emitted by this crate's macros, whose expansion is the only place the
//! unsafe attributes `no_mangle`/`link_section` appear.
//!
//! Build: `rust/build.sh` compiles this crate for `bpfel-unknown-none` to
//! LLVM bitcode; nothing here may need a function from `core` that is not
//! inlined, because core's bitcode is not linked in (a leftover call, such
//! as a panic path, fails the build with the symbol's name). The one
//! exception is the two conntrack kfuncs (flow.rs), which the kernel
//! provides and libbpf resolves; build.sh gives them their BTF.
#![no_std]
#![feature(allow_internal_unsafe)]
#![feature(core_intrinsics)]
#![feature(asm_experimental_arch)]
#![allow(internal_features)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

use core::cell::Cell;
use core::ffi::c_void;
use core::intrinsics::{atomic_cxchg, atomic_xadd, atomic_xchg, AtomicOrdering};
use core::marker::PhantomData;
use core::mem::{align_of, size_of, ManuallyDrop};

pub mod flow;
pub mod hdr;
pub use flow::{FlowTuple, TupleSize};
pub use hdr::*;

/// XDP verdicts (`enum xdp_action` in linux/bpf.h).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub enum XdpAction {
    Aborted = 0,
    Drop = 1,
    Pass = 2,
    Tx = 3,
    Redirect = 4,
}

/// `struct xdp_md` from linux/bpf.h: the context the kernel passes. The
/// verifier rewrites 32-bit loads of `data`/`data_end` into packet pointers,
/// so the fields must stay `u32` and be read as such.
#[repr(C)]
pub struct xdp_md {
    pub data: u32,
    pub data_end: u32,
    pub data_meta: u32,
    pub ingress_ifindex: u32,
    pub rx_queue_index: u32,
    pub egress_ifindex: u32,
}

/// Returns `v`, but the optimiser cannot see through it: what it knew about
/// `v` (its range, say) is forgotten, so a later mask or check it would have
/// proved redundant stays in the code for the verifier to see. The C side
/// uses `barrier_var()`, an empty inline asm; this is the asm-free way (no
/// `asm!` on BPF in stable Rust, and `core::hint::black_box` makes no
/// promise at all): a volatile store and load through a stack slot, which
/// the optimiser must keep and the verifier reads back as a plain scalar.
#[inline(always)]
pub fn opaque(v: u32) -> u32 {
    let mut slot = 0u32;
    let p: *mut u32 = &mut slot;
    // SAFETY: p points to a live, aligned u32 local of this function, and
    // no reference to it exists while the two accesses run.
    unsafe {
        p.write_volatile(v);
        p.read_volatile()
    }
}

/// BPF map types used by xdp_filter (`enum bpf_map_type`).
pub const BPF_MAP_TYPE_HASH: usize = 1;
pub const BPF_MAP_TYPE_ARRAY: usize = 2;
pub const BPF_MAP_TYPE_PROG_ARRAY: usize = 3;
pub const BPF_MAP_TYPE_PERCPU_ARRAY: usize = 6;
pub const BPF_MAP_TYPE_LRU_HASH: usize = 9;
pub const BPF_MAP_TYPE_LPM_TRIE: usize = 11;
pub const BPF_MAP_TYPE_ARRAY_OF_MAPS: usize = 12;
pub const BPF_MAP_TYPE_RINGBUF: usize = 27;
/// The BPF map type of each map handle kind, for `xdp_map!`.
#[doc(hidden)]
#[allow(non_upper_case_globals)]
pub mod map_kind {
    pub const Array: usize = super::BPF_MAP_TYPE_ARRAY;
    pub const ProgArray: usize = super::BPF_MAP_TYPE_PROG_ARRAY;
    pub const PerCpuArray: usize = super::BPF_MAP_TYPE_PERCPU_ARRAY;
    pub const Hash: usize = super::BPF_MAP_TYPE_HASH;
    pub const LpmTrie: usize = super::BPF_MAP_TYPE_LPM_TRIE;
    pub const RingBuf: usize = super::BPF_MAP_TYPE_RINGBUF;
    pub const LruHash: usize = super::BPF_MAP_TYPE_LRU_HASH;
    pub const ArrayOfMaps: usize = super::BPF_MAP_TYPE_ARRAY_OF_MAPS;
}
/// `map_flags` bits (`BPF_F_*` in linux/bpf.h) a map definition may carry.
/// LPM tries require `BPF_F_NO_PREALLOC`; a hash map with it allocates its
/// elements on update instead of all at creation.
pub const BPF_F_NO_PREALLOC: usize = 1;
/// An array map user space may mmap() (and so write whole, at once).
pub const BPF_F_MMAPABLE: usize = 1 << 10;
/// An inner array whose max_entries may differ from its template's
/// (lookups through a helper call, not inlined).
pub const BPF_F_INNER_MAP: usize = 1 << 12;
/// `LIBBPF_PIN_BY_NAME`: libbpf (and so ip(8)) pins the map under its name.
pub const LIBBPF_PIN_BY_NAME: usize = 1;
/// `bpf_map_update_elem()` flags.
pub const BPF_ANY: u64 = 0;
pub const BPF_NOEXIST: u64 = 1;
pub const BPF_EXIST: u64 = 2;

/// Plain old data: any bit pattern is a valid value, there is no padding and
/// no pointer inside, so it may be copied to and from packet or map memory.
///
/// # Safety
/// Implement only for types with those properties. The program crate never
/// implements it by hand; `abi_struct!` and `counter_struct!` do, after
/// checking every field at compile time.
pub unsafe trait Pod: Copy + 'static {}

// SAFETY: integers and arrays of Pod have no padding and no invalid values.
unsafe impl Pod for u8 {}
// SAFETY: as above.
unsafe impl Pod for u16 {}
// SAFETY: as above.
unsafe impl Pod for u32 {}
// SAFETY: as above.
unsafe impl Pod for u64 {}
// SAFETY: as above.
unsafe impl<T: Pod, const N: usize> Pod for [T; N] {}

/// A map value laid out as `{ u64 packets; u64 bytes; }`, which the per-CPU
/// counter helpers update in place.
///
/// # Safety
/// Implement only through `counter_struct!`, which fixes the layout.
pub unsafe trait Counter: Pod {}

/// Compile-time check used by the macros: `T` is `Pod`.
#[doc(hidden)]
pub const fn assert_pod<T: Pod>() {}

/// Defines a `#[repr(C)]` ABI struct that mirrors a C struct of
/// xdp_filter.h and implements `Pod` for it. Every field must be `Pod` and
/// the struct may have no padding (both checked at compile time), which is
/// what makes the `unsafe impl` sound.
#[macro_export]
#[allow_internal_unsafe]
macro_rules! abi_struct {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $f:ident: $t:ty,)+ }) => {
        $(#[$m])*
        #[repr(C)]
        #[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
        #[allow(non_camel_case_types)]
        pub struct $name { $($(#[$fm])* pub $f: $t,)+ }

        const _: () = {
            $($crate::assert_pod::<$t>();)+
            assert!(
                ::core::mem::size_of::<$name>() == 0 $(+ ::core::mem::size_of::<$t>())+,
                "ABI struct has padding"
            );
        };

        // SAFETY: repr(C), every field is Pod and the size check above
        // proves there is no padding byte.
        unsafe impl $crate::Pod for $name {}
    };
}

/// Defines a per-CPU counter value `{ u64 $packets; u64 $bytes; }` (the C
/// `struct xf_count`) and marks it as a `Counter`.
#[macro_export]
#[allow_internal_unsafe]
macro_rules! counter_struct {
    ($(#[$m:meta])* pub struct $name:ident {
        $(#[$pm:meta])* pub $p:ident: u64,
        $(#[$bm:meta])* pub $b:ident: u64,
    }) => {
        $crate::abi_struct! {
            $(#[$m])* pub struct $name { $(#[$pm])* pub $p: u64, $(#[$bm])* pub $b: u64, }
        }
        // SAFETY: the struct above is repr(C) with exactly two u64, packets
        // first, which is the layout the counter helpers write.
        unsafe impl $crate::Counter for $name {}
    };
}

/// Called through helper numbers, the way clang calls `bpf_map_lookup_elem`:
/// LLVM's BPF backend turns a call to the constant address N into `call N`.
mod helper {
    use core::ffi::c_void;

    pub type MapLookupElem = unsafe extern "C" fn(*mut c_void, *const c_void) -> *mut c_void;
    pub type MapUpdateElem =
        unsafe extern "C" fn(*mut c_void, *const c_void, *const c_void, u64) -> i64;

    #[inline(always)]
    pub fn map_lookup_elem() -> MapLookupElem {
        // SAFETY: BPF_FUNC_map_lookup_elem is helper 1; its C prototype is
        // void *(void *map, const void *key), which this type matches.
        unsafe { core::mem::transmute::<usize, MapLookupElem>(1) }
    }

    #[inline(always)]
    pub fn map_update_elem() -> MapUpdateElem {
        // SAFETY: BPF_FUNC_map_update_elem is helper 2; its C prototype is
        // long (void *map, const void *key, const void *value, u64 flags).
        unsafe { core::mem::transmute::<usize, MapUpdateElem>(2) }
    }

    pub type TailCall = unsafe extern "C" fn(*mut c_void, *mut c_void, u32) -> i64;

    #[inline(always)]
    pub fn tail_call() -> TailCall {
        // SAFETY: BPF_FUNC_tail_call is helper 12; its C prototype is
        // long (void *ctx, struct bpf_map *prog_array_map, u32 index),
        // which this type matches.
        unsafe { core::mem::transmute::<usize, TailCall>(12) }
    }

    pub type XdpGetBuffLen = unsafe extern "C" fn(*mut c_void) -> u64;

    #[inline(always)]
    pub fn xdp_get_buff_len() -> XdpGetBuffLen {
        // SAFETY: BPF_FUNC_xdp_get_buff_len is helper 188; its C prototype
        // is u64 (struct xdp_md *ctx), which this type matches.
        unsafe { core::mem::transmute::<usize, XdpGetBuffLen>(188) }
    }

    pub type KtimeGetNs = unsafe extern "C" fn() -> u64;
    pub type RingbufReserve = unsafe extern "C" fn(*mut c_void, u64, u64) -> *mut c_void;
    pub type RingbufRelease = unsafe extern "C" fn(*mut c_void, u64);

    #[inline(always)]
    pub fn ktime_get_ns() -> KtimeGetNs {
        // SAFETY: BPF_FUNC_ktime_get_ns is helper 5; its C prototype is
        // u64 (void), which this type matches.
        unsafe { core::mem::transmute::<usize, KtimeGetNs>(5) }
    }

    #[inline(always)]
    pub fn ktime_get_coarse_ns() -> KtimeGetNs {
        // SAFETY: BPF_FUNC_ktime_get_coarse_ns is helper 160; its C
        // prototype is u64 (void), which this type matches.
        unsafe { core::mem::transmute::<usize, KtimeGetNs>(160) }
    }

    #[inline(always)]
    pub fn ringbuf_reserve() -> RingbufReserve {
        // SAFETY: BPF_FUNC_ringbuf_reserve is helper 131; its C prototype
        // is void *(void *ringbuf, u64 size, u64 flags).
        unsafe { core::mem::transmute::<usize, RingbufReserve>(131) }
    }

    #[inline(always)]
    pub fn ringbuf_submit() -> RingbufRelease {
        // SAFETY: BPF_FUNC_ringbuf_submit is helper 132; its C prototype
        // is void (void *data, u64 flags).
        unsafe { core::mem::transmute::<usize, RingbufRelease>(132) }
    }

    #[inline(always)]
    pub fn ringbuf_discard() -> RingbufRelease {
        // SAFETY: BPF_FUNC_ringbuf_discard is helper 133; its C prototype
        // is void (void *data, u64 flags), as submit's.
        unsafe { core::mem::transmute::<usize, RingbufRelease>(133) }
    }

    pub type SkcLookupTcp =
        unsafe extern "C" fn(*mut c_void, *mut c_void, u32, u64, u64) -> *mut crate::flow::bpf_sock;
    pub type SkRelease = unsafe extern "C" fn(*mut c_void) -> i64;

    #[inline(always)]
    pub fn skc_lookup_tcp() -> SkcLookupTcp {
        // SAFETY: BPF_FUNC_skc_lookup_tcp is helper 99; its C prototype is
        // struct bpf_sock *(void *ctx, struct bpf_sock_tuple *tuple,
        // u32 tuple_size, u64 netns, u64 flags), which this type matches.
        unsafe { core::mem::transmute::<usize, SkcLookupTcp>(99) }
    }

    #[inline(always)]
    pub fn sk_release() -> SkRelease {
        // SAFETY: BPF_FUNC_sk_release is helper 86; its C prototype is
        // long (void *sock), which this type matches.
        unsafe { core::mem::transmute::<usize, SkRelease>(86) }
    }
}

/// `bpf_ktime_get_ns()`: CLOCK_MONOTONIC in nanoseconds.
#[inline(always)]
pub fn ktime_get_ns() -> u64 {
    // SAFETY: the helper takes no argument and only reads the clock.
    unsafe { helper::ktime_get_ns()() }
}

/// `bpf_ktime_get_coarse_ns()`: CLOCK_MONOTONIC_COARSE in nanoseconds, the
/// kernel's tick.
#[inline(always)]
pub fn ktime_get_coarse_ns() -> u64 {
    // SAFETY: the helper takes no argument and only reads the clock.
    unsafe { helper::ktime_get_coarse_ns()() }
}

/// A BTF map definition emitted by `xdp_map!`: its key and value types and
/// the address of the `.maps` symbol the loader replaces by the map fd.
///
/// # Safety
/// `ptr()` must return the address of a `.maps` definition whose BTF key and
/// value types are `Key` and `Value`; only `xdp_map!` implements this.
pub unsafe trait MapDef {
    type Key: Pod;
    type Value: Pod;
    fn ptr() -> *mut c_void;
}

#[inline(always)]
fn lookup<D: MapDef>(key: &D::Key) -> *mut D::Value {
    let key: *const D::Key = key;
    // SAFETY: D::ptr() is a map of the loaded object (MapDef contract) and
    // key points to an initialised D::Key, whose size is the map's key_size
    // because the BTF says so. The helper only reads the key, and returns
    // NULL or a pointer to a value of value_size bytes, which stays valid
    // until the program returns: array elements are never freed, and hash
    // and LPM trie elements are freed only after an RCU grace period, while
    // an XDP program runs inside an RCU read-side critical section.
    unsafe { helper::map_lookup_elem()(D::ptr(), key.cast()).cast() }
}

/// A volatile copy of the value a successful lookup returned, or `None`.
#[inline(always)]
fn copy_out<V: Pod>(p: *mut V) -> Option<V> {
    if p.is_null() {
        return None;
    }
    // SAFETY: p is a non-NULL lookup result, so it points to a live,
    // suitably aligned value (the kernel aligns map values to 8) that stays
    // valid for this run (see lookup()). User space may rewrite it
    // concurrently, hence a volatile copy rather than a reference the
    // compiler could re-read or assume stable; V is Pod, so whatever
    // bytes a torn copy holds are a valid V.
    Some(unsafe { p.read_volatile() })
}

/// `BPF_MAP_TYPE_ARRAY` handle (a zero-sized value, like Rex's map statics).
pub struct Array<D: MapDef>(PhantomData<D>);

impl<D: MapDef> Array<D> {
    #[doc(hidden)]
    pub const fn new() -> Self {
        Array(PhantomData)
    }

    /// A copy of the value at `key`, or `None` if `key` is out of range.
    #[inline(always)]
    pub fn get(&self, key: D::Key) -> Option<D::Value> {
        copy_out(lookup::<D>(&key))
    }

    /// `bpf_map_update_elem(map, &key, &value, flags)`; Err(-errno).
    #[inline(always)]
    pub fn insert(&self, key: D::Key, value: &D::Value, flags: u64) -> Result<(), i64> {
        let key: *const D::Key = &key;
        let value: *const D::Value = value;
        // SAFETY: as in lookup(): map from the MapDef contract, key and
        // value point to initialised Pod of the map's key and value size.
        let ret = unsafe {
            helper::map_update_elem()(D::ptr(), key.cast(), value.cast(), flags)
        };
        if ret == 0 { Ok(()) } else { Err(ret) }
    }
}

impl<D: MapDef> Array<D> {
    /// The element at `key` in place, or `None` if `key` is out of range:
    /// for the parts of a value the program reads alone, or updates
    /// (`MapValue`). Array maps only: their elements are never freed.
    #[inline(always)]
    pub fn lookup(&self, key: D::Key) -> Option<MapValue<D::Value>> {
        let p = lookup::<D>(&key);
        if p.is_null() {
            return None;
        }
        Some(MapValue { p })
    }
}

/// A field of the map value type `V`: its byte offset and its type `F`, as
/// `field!(V, path)` names it; what `MapValue` reads or updates in place.
///
/// Every `Field` is sound to use, however it was made: `new()` (evaluated
/// at compile time by `field!`) checks that an `F` fits inside a `V` at that
/// offset and is aligned there, and both are `Pod`, so an access stays in
/// the element and any bytes it reads are a valid `F`. That it is the field
/// the program means is `field!`'s part: it takes the offset and the type
/// from the same field path.
pub struct Field<V, F> {
    off: usize,
    _types: PhantomData<(fn() -> V, fn() -> F)>,
}

impl<V, F> Clone for Field<V, F> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}
impl<V, F> Copy for Field<V, F> {}

impl<V: Pod, F: Pod> Field<V, F> {
    /// The `F` at byte offset `off` of a `V`; `_ty` only names `F` (`field!`
    /// passes `|v| &v.path`, which is never called).
    #[doc(hidden)]
    pub const fn new(off: usize, _ty: fn(&V) -> &F) -> Self {
        assert!(
            size_of::<F>() <= size_of::<V>() && off <= size_of::<V>() - size_of::<F>(),
            "field outside its struct"
        );
        assert!(off % align_of::<F>() == 0, "misaligned field");
        Field { off, _types: PhantomData }
    }
}

impl<V: Pod, T: Pod, const N: usize> Field<V, [T; N]> {
    /// Element `i` of an array field, or `None` if `i >= N`. In bounds and
    /// aligned as the array is: elements are `size_of::<T>()` apart.
    #[inline(always)]
    pub fn at(self, i: u32) -> Option<Field<V, T>> {
        if i as usize >= N {
            return None;
        }
        Some(Field { off: self.off + i as usize * size_of::<T>(), _types: PhantomData })
    }
}

/// `Field` of `$V` named by a field path, checked at compile time:
/// `field!(xf_config, set)`, `field!(xf_rlog, credit)`.
#[macro_export]
macro_rules! field {
    ($V:ty, $($f:tt).+) => {
        const {
            $crate::Field::<$V, _>::new(::core::mem::offset_of!($V, $($f).+), |v: &$V| &v.$($f).+)
        }
    };
}

/// A map element in place, as `Array::lookup()` or `InnerMap::lookup()`
/// found it: an array element, or an element of a hash map that a map of
/// maps holds. The
/// program reads and writes it a field at a time, never through a Rust
/// reference: other CPUs and user space may access the same element at the
/// same time. Plain accesses are volatile (each happens once, as written,
/// as one load or store for a scalar: the C program's plain accesses to
/// shared values, which the compiler may not merge, split or repeat here);
/// values shared by CPUs use `add()`, `swap()` and `compare_exchange()`,
/// which are atomic.
pub struct MapValue<V: Pod> {
    p: *mut V,
}

impl<V: Pod> MapValue<V> {
    #[inline(always)]
    fn field<F: Pod>(&self, f: Field<V, F>) -> *mut F {
        // SAFETY: p is a non-NULL lookup result of size_of::<V>() bytes
        // (the map's value_size, from its BTF or, for an inner map, the
        // template's, which the kernel holds every inner map to): an array
        // element, which lives as long as the map, so as long as the
        // program, or an inner map's element, valid until the program
        // returns (see InnerMap::lookup()); the Field invariant puts the F
        // at f.off inside it.
        unsafe { self.p.cast::<u8>().add(f.off).cast::<F>() }
    }

    /// A copy of the whole element (volatile, as `Array::get()`).
    #[inline(always)]
    pub fn get(&self) -> V {
        // SAFETY: p points to a live V, 8-aligned (the kernel aligns map
        // values to 8, and no value here needs more); see copy_out() for
        // why a concurrent writer does no harm to a volatile copy of a
        // Pod.
        unsafe { self.p.read_volatile() }
    }

    /// The value of field `f` (one volatile read).
    #[inline(always)]
    pub fn read<F: Pod>(&self, f: Field<V, F>) -> F {
        // SAFETY: field() is in bounds and aligned for F (the element is
        // 8-aligned, f.off a multiple of F's alignment, which is <= 8), F
        // is Pod, so any bytes, torn or not, are a valid F.
        unsafe { self.field(f).read_volatile() }
    }

    /// Sets field `f` (one volatile write).
    #[inline(always)]
    pub fn write<F: Pod>(&self, f: Field<V, F>, v: F) {
        // SAFETY: as in read(); array elements are writable by the program
        // (no BPF_F_RDONLY_PROG on our maps), and no reference to the
        // element exists for the write to invalidate.
        unsafe { self.field(f).write_volatile(v) }
    }

    /// Adds `v` to the u64 field `f` atomically, without reading it back:
    /// `__sync_fetch_and_add(&x, v)` with the result unused, which the BPF
    /// backend emits as `lock *(u64 *)(r + off) += v` (BPF_ATOMIC BPF_ADD),
    /// as clang does for the C program.
    #[inline(always)]
    pub fn add(&self, f: Field<V, u64>, v: u64) {
        // SAFETY: field() is in bounds and 8-aligned (f.off is a multiple
        // of align_of::<u64>() = 8 and the element is 8-aligned), which
        // BPF atomics require; the verifier allows them on map values.
        // Relaxed: a counter, nothing is ordered against it.
        unsafe {
            atomic_xadd::<u64, u64, { AtomicOrdering::Relaxed }>(self.field(f), v);
        }
    }

    /// Stores `v` in the u64 field `f` and returns what it held, atomically
    /// (`__sync_lock_test_and_set()`: BPF_ATOMIC BPF_XCHG, -mcpu=v3).
    #[inline(always)]
    pub fn swap(&self, f: Field<V, u64>, v: u64) -> u64 {
        // SAFETY: as in add(): in bounds and 8-aligned.
        unsafe { atomic_xchg::<u64, { AtomicOrdering::SeqCst }>(self.field(f), v) }
    }

    /// Compare-and-swap on the u64 field `f`: if it holds `current`, stores
    /// `new` there and returns `Ok(current)`, else returns `Err(what it
    /// holds)`, atomically against every CPU (`AtomicU64::compare_exchange`'s
    /// contract; C's `__sync_val_compare_and_swap()`). rustc emits an LLVM
    /// `cmpxchg`, which the BPF backend lowers to BPF_ATOMIC BPF_CMPXCHG,
    /// `r0 = cmpxchg_64(r + off, r0, rX)`, as clang does for the C program
    /// (the kernel has it since 5.12).
    #[inline(always)]
    pub fn compare_exchange(&self, f: Field<V, u64>, current: u64, new: u64) -> Result<u64, u64> {
        // SAFETY: as in add(): in bounds and 8-aligned, which BPF atomics
        // require; the verifier allows them on map values. SeqCst: BPF has
        // one cmpxchg, a full barrier, whatever the ordering asked.
        let (seen, ok) = unsafe {
            atomic_cxchg::<u64, { AtomicOrdering::SeqCst }, { AtomicOrdering::SeqCst }>(
                self.field(f),
                current,
                new,
            )
        };
        if ok { Ok(seen) } else { Err(seen) }
    }
}

/// `BPF_MAP_TYPE_PERCPU_ARRAY` handle. A lookup returns this CPU's copy.
pub struct PerCpuArray<D: MapDef>(PhantomData<D>);

impl<D: MapDef> PerCpuArray<D> {
    #[doc(hidden)]
    pub const fn new() -> Self {
        PerCpuArray(PhantomData)
    }

    /// A copy of this CPU's value at `key`.
    #[inline(always)]
    pub fn get(&self, key: D::Key) -> Option<D::Value> {
        copy_out(lookup::<D>(&key))
    }
}

/// `BPF_MAP_TYPE_PROG_ARRAY` handle: slots of programs user space fills,
/// which the program can only jump to (a BPF program cannot look one up).
pub struct ProgArray<D: MapDef>(PhantomData<D>);

impl<D: MapDef<Key = u32, Value = u32>> ProgArray<D> {
    #[doc(hidden)]
    pub const fn new() -> Self {
        ProgArray(PhantomData)
    }

    /// `bpf_tail_call(ctx, map, KEY)`: runs the program in slot `KEY` in
    /// place of this one, and does not come back: that program's verdict
    /// is the packet's. Returns only if the slot is empty (or the chain of
    /// tail calls is at the kernel's limit), and the caller goes on with
    /// the frame this returns, read from the context again. Verifiers
    /// with upstream's "bpf: consider that tail calls invalidate packet
    /// pointers" (1a4607ffba35; Debian's 6.12.117 has it) forget every
    /// packet pointer across a tail call, even on the path where it
    /// failed: using the entry's pointers after it is "R7 invalid mem
    /// access 'scalar'" there (6.1 and 6.18, which keeps them on that
    /// path, accept it). Positions (`Cursor`s) made before the call are
    /// refused by those verifiers the same way: take them from the
    /// returned frame.
    ///
    /// The key is a compile-time constant, as the C program's
    /// `bpf_tail_call(ctx, &xf_progs, XF_PROG_ACTIVE)`: the verifier then
    /// knows the slot, and the JIT makes the call a direct jump that a map
    /// update patches, instead of an indirect one through the map.
    ///
    /// Nothing is released on the way out, as on an early return that
    /// skipped `drop()`: a live `RingBufEntry` would leak its reservation,
    /// which the verifier rejects at load time ("tail_call would lead to
    /// reference leak"), as for `mem::forget`.
    #[inline(always)]
    pub fn tail_call<const KEY: u32>(&self, xdp: &Xdp) -> Xdp {
        // SAFETY: xdp.ctx is the context the kernel passed to this program
        // (Xdp is only made from it), D::ptr() a prog array of the loaded
        // object (MapDef contract), and KEY any u32: the helper checks it
        // against max_entries. On success the helper does not return: the
        // program ends there as if it had returned, with no Rust value in
        // a state the next program could see (it gets only ctx and the
        // packet). On failure it returns a negative error; ctx is still
        // the kernel's context for this call, so from_ctx() may read it
        // again (the helper takes ctx, so the compiler reloads data and
        // data_end rather than reuse the values read before).
        unsafe {
            helper::tail_call()(xdp.ctx.cast(), D::ptr(), KEY);
            Xdp::from_ctx(xdp.ctx)
        }
    }
}

/// `BPF_MAP_TYPE_HASH` handle (read side only: the program never updates
/// it, user space does).
pub struct Hash<D: MapDef>(PhantomData<D>);

impl<D: MapDef> Hash<D> {
    #[doc(hidden)]
    pub const fn new() -> Self {
        Hash(PhantomData)
    }

    /// A copy of the value at `key`, or `None` if there is none. The key is
    /// taken by value, so the helper reads it from this program's stack.
    #[inline(always)]
    pub fn get(&self, key: D::Key) -> Option<D::Value> {
        copy_out(lookup::<D>(&key))
    }
}

/// A map of maps definition emitted by `xdp_map!`: its key type, the
/// template of the maps it holds (`Inner`), and the address of the `.maps`
/// symbol the loader replaces by the map fd.
///
/// # Safety
/// `ptr()` must return the address of a `.maps` definition of a map of
/// maps whose BTF key type is `Key` and whose inner map template is
/// `Inner`'s; only `xdp_map!` implements this.
pub unsafe trait MapOfMapsDef {
    type Key: Pod;
    type Inner: InnerMapDef;
    fn ptr() -> *mut c_void;
}

/// The template of the maps a map of maps holds (its `values` member).
///
/// # Safety
/// `Key` and `Value` must have the sizes the template gives the loader
/// (key_size, value_size); only `xdp_map!` implements this.
pub unsafe trait InnerMapDef {
    type Key: Pod;
    type Value: Pod;
}

/// `BPF_MAP_TYPE_ARRAY_OF_MAPS` handle: slots that user space fills with
/// maps shaped like the template (the kernel refuses any other: map type,
/// key and value size and flags must be the template's).
pub struct ArrayOfMaps<D: MapOfMapsDef>(PhantomData<D>);

impl<D: MapOfMapsDef> ArrayOfMaps<D> {
    #[doc(hidden)]
    pub const fn new() -> Self {
        ArrayOfMaps(PhantomData)
    }

    /// The map in slot `key`, or `None` if the slot is empty (or out of
    /// range).
    #[inline(always)]
    pub fn get(&self, key: D::Key) -> Option<InnerMap<D::Inner>> {
        let key: *const D::Key = &key;
        // SAFETY: D::ptr() is a map of maps of the loaded object
        // (MapOfMapsDef contract) and key points to an initialised D::Key
        // of its key_size. The helper returns NULL or the inner map (the
        // verifier's CONST_PTR_TO_MAP, with the template's key and value
        // sizes), which the kernel frees only after an RCU grace period
        // once user space takes it out of the slot, while an XDP program
        // runs inside an RCU read-side critical section.
        let map = unsafe { helper::map_lookup_elem()(D::ptr(), key.cast()) };
        if map.is_null() {
            return None;
        }
        Some(InnerMap { map, _def: PhantomData })
    }
}

/// A map that a map of maps holds, as `ArrayOfMaps::get()` found it, with
/// the key and value types of the template (`I`).
pub struct InnerMap<I: InnerMapDef> {
    map: *mut c_void,
    _def: PhantomData<I>,
}

impl<I: InnerMapDef> InnerMap<I> {
    /// The element at `key` in place, or `None` if there is none (or, in
    /// an array, `key` is out of range). An LRU hash marks it as used; an
    /// LPM trie gives the value of the longest stored prefix of the key.
    #[inline(always)]
    pub fn lookup(&self, key: &I::Key) -> Option<MapValue<I::Value>> {
        let key: *const I::Key = key;
        // SAFETY: map is an inner map of the template's shape (see
        // ArrayOfMaps::get()), key points to an initialised I::Key of its
        // key_size (InnerMapDef contract). The helper returns NULL or a
        // pointer to a value of value_size bytes, aligned for it (hash and
        // array values are 8-aligned; the only LPM trie value here is a
        // u8), that stays valid until the program returns: an array's
        // element lives as long as the map, which the kernel frees only
        // after an RCU grace period once out of its slot (see get()); a
        // hash map's or an LPM trie's element is freed after an RCU grace
        // period, and a preallocated one (every LRU hash) only with the
        // map; an LRU hash may hand an evicted element to another key
        // meanwhile, which changes what it holds, not where.
        let p = unsafe { helper::map_lookup_elem()(self.map, key.cast()) };
        if p.is_null() {
            return None;
        }
        Some(MapValue { p: p.cast() })
    }

    /// Is there an element at `key`? For a map whose keys are the
    /// information (a set's LPM trie: the longest stored prefix of the
    /// key's address).
    #[inline(always)]
    pub fn contains(&self, key: &I::Key) -> bool {
        self.lookup(key).is_some()
    }

    /// `bpf_map_update_elem(map, key, value, flags)`; Err(-errno), e.g.
    /// -EEXIST for `BPF_NOEXIST` and a key that is there.
    #[inline(always)]
    pub fn insert(&self, key: &I::Key, value: &I::Value, flags: u64) -> Result<(), i64> {
        let key: *const I::Key = key;
        let value: *const I::Value = value;
        // SAFETY: as in lookup(): an inner map of the template's shape,
        // key and value initialised Pod of its key and value size; the
        // helper copies them.
        let ret = unsafe { helper::map_update_elem()(self.map, key.cast(), value.cast(), flags) };
        if ret == 0 { Ok(()) } else { Err(ret) }
    }
}

/// `BPF_MAP_TYPE_LPM_TRIE` handle (read side only). The key is a C struct
/// `{ u32 prefixlen; u8 data[N]; }`; a lookup with prefixlen 8 * N (all of
/// data) returns the value of the longest stored prefix of data.
pub struct LpmTrie<D: MapDef>(PhantomData<D>);

impl<D: MapDef> LpmTrie<D> {
    #[doc(hidden)]
    pub const fn new() -> Self {
        LpmTrie(PhantomData)
    }

    /// A copy of the value of the longest prefix that matches `key`, or
    /// `None`. The key is borrowed, as the C program passes `&pkt->src4`:
    /// the helper reads it where it lies (the program's stack, where the
    /// parser wrote it), so the 20-byte IPv6 key is not copied again, and
    /// the struct holding it stays in memory instead of being split into
    /// registers that would all have to be spilled and stored back.
    #[inline(always)]
    pub fn get(&self, key: &D::Key) -> Option<D::Value> {
        copy_out(lookup::<D>(key))
    }
}

/// A ring buffer definition emitted by `xdp_map!`: the type of its records
/// and the address of the `.maps` symbol the loader replaces by the map fd.
///
/// # Safety
/// `ptr()` must return the address of a `.maps` definition of a
/// `BPF_MAP_TYPE_RINGBUF` map; only `xdp_map!` implements this.
pub unsafe trait RingBufDef {
    type Record: Pod;
    fn ptr() -> *mut c_void;
}

/// `BPF_MAP_TYPE_RINGBUF` handle: records of one type, reserved in place,
/// filled, then submitted (`bpf_ringbuf_reserve()`/`_submit()`).
pub struct RingBuf<D: RingBufDef>(PhantomData<D>);

impl<D: RingBufDef> RingBuf<D> {
    #[doc(hidden)]
    pub const fn new() -> Self {
        RingBuf(PhantomData)
    }

    /// Room for one record, or `None` when the buffer is full (the reader
    /// is behind).
    #[inline(always)]
    pub fn reserve(&self) -> Option<RingBufEntry<D::Record>> {
        const { assert!(align_of::<D::Record>() <= 8) };
        // SAFETY: D::ptr() is a ring buffer map of the loaded object
        // (RingBufDef contract); the size is a constant, as the verifier
        // demands, and flags 0 is the only valid value.
        let p = unsafe { helper::ringbuf_reserve()(D::ptr(), size_of::<D::Record>() as u64, 0) };
        if p.is_null() {
            return None;
        }
        Some(RingBufEntry { p: p.cast() })
    }
}

/// A reserved ring buffer record. `submit()` fills and publishes it;
/// dropping it discards it, so every reservation is released once, on
/// every path, as the verifier demands. (An entry passed to `mem::forget`,
/// which safe code may do, leaks it: the verifier then rejects the
/// program at load time.)
pub struct RingBufEntry<T: Pod> {
    p: *mut T,
}

impl<T: Pod> RingBufEntry<T> {
    /// Writes `record` and hands it to the reader.
    #[inline(always)]
    pub fn submit(self, record: T) {
        let e = ManuallyDrop::new(self); // released here, not by Drop
                                         // SAFETY: e.p is the reservation: size_of::<T>() bytes, 8-aligned
                                         // (records start after an 8-byte header, on 8 bytes; T needs no
                                         // more, see reserve()), the program's alone until submitted. T is
                                         // Pod, so a plain write fills it. The helper call is opaque to the
                                         // compiler, so the write cannot move past it; ManuallyDrop keeps
                                         // drop() from discarding the released record.
        unsafe {
            e.p.write(record);
            helper::ringbuf_submit()(e.p.cast(), 0);
        }
    }
}

impl<T: Pod> Drop for RingBufEntry<T> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: p is a reservation not yet released: submit() does not
        // run this.
        unsafe { helper::ringbuf_discard()(self.p.cast(), 0) }
    }
}

impl<D: MapDef> PerCpuArray<D>
where
    D::Value: Counter,
{
    /// Adds one packet of `bytes` to this CPU's counter at `key`; a key out
    /// of range is ignored, as in the C program.
    #[inline(always)]
    pub fn count(&self, key: D::Key, bytes: u64) {
        let p = lookup::<D>(&key).cast::<u64>();
        if p.is_null() {
            return;
        }
        // SAFETY: p is this CPU's element, a Counter laid out as two u64
        // (packets, bytes), 8-aligned by the kernel. XDP runs with
        // migration disabled and the program does not re-enter itself, so
        // no other writer touches this CPU's slot while we update it: plain
        // loads and stores, no atomics, exactly what the C program does.
        // No reference is created, so no aliasing rule is involved.
        unsafe {
            p.write(p.read().wrapping_add(1));
            let b = p.add(1);
            b.write(b.read().wrapping_add(bytes));
        }
    }
}

/// Defines a pinned BTF map in `.maps`, shaped like libbpf's
/// `struct { __uint(type, ..); __uint(max_entries, ..); __type(key, ..);
/// __type(value, ..); [__uint(map_flags, ..);] __uint(pinning,
/// LIBBPF_PIN_BY_NAME); } NAME SEC(".maps");` - members in that order, the
/// order xdp_filter.c declares them in (check-abi.sh compares them).
///
/// ```ignore
/// xdp_map! { pub XF_STATS: PerCpuArray<u32, xf_count>[XF_R_MAX] = xf_stats as XfStatsDef; }
/// xdp_map! { pub XF_PFX4: LpmTrie<xf_lpm4, xf_pfx>[N] flags(BPF_F_NO_PREALLOC) = xf_pfx4 as D; }
/// xdp_map! { pub XF_LOG: RingBuf<xf_event>[BYTES] = xf_log as XfLogDef; }
/// xdp_map! {
///     pub XF_LSRC: ArrayOfMaps<u32, xf_lsrc_map: LruHash<xf_lsrc_key, xf_lsrc>[N]>[1]
///         = xf_lsrc as xf_lsrc_def;
/// }
/// xdp_map! {
///     pub XF_SET4: ArrayOfMaps<u32,
///         xf_set4_map: Array<u32, u64>[N] flags(BPF_F_MMAPABLE)>[64] = xf_set4 as xf_set4_def;
/// }
/// ```
/// `xf_stats` is the map (and ELF symbol) name, `XfStatsDef` the plain,
/// non-generic definition type whose BTF the loader reads (the kernel
/// rejects BTF names such as `Foo<u32>`), `XF_STATS` the safe handle. A map
/// of maps also names the struct of its inner map template (`xf_lsrc_map`),
/// which libbpf reads from the definition's last member, `values`.
#[macro_export]
#[allow_internal_unsafe]
macro_rules! xdp_map {
    // A ring buffer: no key or value in its definition (max_entries is its
    // size in bytes); the record type lives in the handle only.
    ($(#[$m:meta])* pub $handle:ident: RingBuf<$rec:ty>[$max:expr] = $sym:ident as $def:ident;) => {
        $crate::__xdp_map_def! {
            /// BTF map definition, as libbpf's __uint() encodes it.
            $def as $sym {
                r#type: *const [i32; $crate::map_kind::RingBuf],
                max_entries: *const [i32; $max as usize],
                pinning: *const [i32; $crate::LIBBPF_PIN_BY_NAME],
            }
        }

        // SAFETY: ptr() is the address of the .maps definition above, of
        // type BPF_MAP_TYPE_RINGBUF.
        unsafe impl $crate::RingBufDef for $def {
            type Record = $rec;
            #[inline(always)]
            fn ptr() -> *mut ::core::ffi::c_void {
                (&raw const $sym).cast_mut().cast()
            }
        }

        $(#[$m])*
        pub const $handle: $crate::RingBuf<$def> = $crate::RingBuf::<$def>::new();
    };
    // A map of maps: the template of the maps it holds is a struct of its
    // own ($idef: type, max_entries, key_size, value_size, and map_flags
    // when flags() are given, as bpf_maps.h orders them), which the
    // definition names in its last member, `values`, a zero-length array
    // of pointers to it: libbpf's __array(values, struct $idef). libbpf
    // requires `values` to be the last member, and creates a map from the
    // template only to give the kernel the inner map's shape; the slots
    // start empty.
    ($(#[$m:meta])* pub $handle:ident: ArrayOfMaps<$k:ty,
        $idef:ident: $ikind:ident<$ik:ty, $iv:ty>[$imax:expr] $(flags($iflags:expr))?>[$max:expr]
     = $sym:ident as $def:ident;) => {
        /// Template of the maps the map of maps holds. Sizes, as the C
        /// object's (bpf_maps.h): the kernel compares inner maps by type,
        /// sizes and flags only.
        #[repr(C)]
        pub struct $idef {
            r#type: *const [i32; $crate::map_kind::$ikind],
            max_entries: *const [i32; $imax as usize],
            key_size: *const [i32; ::core::mem::size_of::<$ik>()],
            value_size: *const [i32; ::core::mem::size_of::<$iv>()],
            $(map_flags: *const [i32; $iflags as usize],)?
        }

        // SAFETY: key_size and value_size above are the sizes of exactly
        // these types.
        unsafe impl $crate::InnerMapDef for $idef {
            type Key = $ik;
            type Value = $iv;
        }

        $crate::__xdp_map_def! {
            /// BTF map definition of the map of maps (value_size 4: a map id).
            $def as $sym {
                r#type: *const [i32; $crate::map_kind::ArrayOfMaps],
                max_entries: *const [i32; $max as usize],
                key: *const $k,
                pinning: *const [i32; $crate::LIBBPF_PIN_BY_NAME],
                values: [*const $idef; 0],
            }
        }

        // SAFETY: ptr() is the address of the .maps definition above, of
        // type BPF_MAP_TYPE_ARRAY_OF_MAPS, whose key member has type Key
        // and whose values member names $idef, the template.
        unsafe impl $crate::MapOfMapsDef for $def {
            type Key = $k;
            type Inner = $idef;
            #[inline(always)]
            fn ptr() -> *mut ::core::ffi::c_void {
                (&raw const $sym).cast_mut().cast()
            }
        }

        $(#[$m])*
        pub const $handle: $crate::ArrayOfMaps<$def> = $crate::ArrayOfMaps::<$def>::new();
    };
    ($(#[$m:meta])* pub $handle:ident: $kind:ident<$k:ty, $v:ty>[$max:expr]
     $(flags($flags:expr))? = $sym:ident as $def:ident;) => {
        $crate::__xdp_map_def! {
            /// BTF map definition: each member is a pointer to an array whose
            /// dimension carries the value, as libbpf's __uint() encodes it.
            $def as $sym {
                r#type: *const [i32; $crate::map_kind::$kind],
                max_entries: *const [i32; $max as usize],
                key: *const $k,
                value: *const $v,
                $(map_flags: *const [i32; $flags as usize],)?
                pinning: *const [i32; $crate::LIBBPF_PIN_BY_NAME],
            }
        }

        // SAFETY: ptr() is the address of the .maps definition above, whose
        // key and value members have exactly the types Key and Value.
        unsafe impl $crate::MapDef for $def {
            type Key = $k;
            type Value = $v;
            #[inline(always)]
            fn ptr() -> *mut ::core::ffi::c_void {
                (&raw const $sym).cast_mut().cast()
            }
        }

        $(#[$m])*
        pub const $handle: $crate::$kind<$def> = $crate::$kind::<$def>::new();
    };
}

/// `xdp_map!` helper: the BTF map definition `$def` with the members
/// given, in that order, and its `.maps` symbol `$sym`, where the loader
/// finds it by name and section, every member `MapMember::NULL`.
#[doc(hidden)]
#[macro_export]
#[allow_internal_unsafe]
macro_rules! __xdp_map_def {
    ($(#[$doc:meta])* $def:ident as $sym:ident { $($member:ident: $t:ty,)* }) => {
        $(#[$doc])*
        #[repr(C)]
        pub struct $def {
            $($member: $t,)*
        }

        // SAFETY: the definition is never read or written at run time; it
        // only carries BTF, and its members hold no address (the static
        // below compiles only if each is a MapMember: a NULL pointer, or
        // an empty array of pointers).
        unsafe impl Sync for $def {}

        #[unsafe(no_mangle)]
        #[unsafe(link_section = ".maps")]
        #[allow(non_upper_case_globals)]
        pub static $sym: $def = $def {
            $($member: <$t as $crate::MapMember>::NULL,)*
        };
    };
}

/// A member of a BTF map definition (`__xdp_map_def!`): a pointer, whose
/// type carries a value as libbpf's __uint() and __type() encode it, or
/// a map of maps' `values`, an empty array of pointers; `NULL`, what its
/// `.maps` symbol holds, holds no address.
///
/// # Safety
/// `NULL` must hold no address: `__xdp_map_def!` makes the definition
/// `Sync` on that ground. Only the two implementations below exist.
#[doc(hidden)]
pub unsafe trait MapMember {
    const NULL: Self;
}

// SAFETY: a NULL pointer holds no address.
unsafe impl<T> MapMember for *const T {
    const NULL: Self = core::ptr::null();
}

// SAFETY: an empty array holds nothing at all.
unsafe impl<T> MapMember for [*const T; 0] {
    const NULL: Self = [];
}

/// Emits the program entry point in section `xdp.frags` (multi-buffer
/// aware: a jumbo MTU in native XDP), or in the section given (`"xdp"`:
/// single-buffer, for generic mode), named `$name` (ip(8) lists it), which
/// runs the safe `fn(&Xdp) -> XdpAction`.
#[macro_export]
#[allow_internal_unsafe]
macro_rules! xdp_program {
    ($name:ident, $run:path) => {
        $crate::xdp_program!($name, $run, "xdp.frags");
    };
    ($name:ident, $run:path, $sec:literal) => {
        // Inside an anonymous const the function has no path, so safe code
        // cannot call it with a made-up pointer: only the kernel can.
        const _: () = {
            #[unsafe(no_mangle)]
            #[unsafe(link_section = $sec)]
            extern "C" fn $name(ctx: *mut $crate::xdp_md) -> u32 {
                // SAFETY: only the kernel calls this function (it cannot be
                // named, see above), with a valid xdp_md that lives for the
                // whole call.
                let xdp = unsafe { $crate::Xdp::from_ctx(ctx) };
                $run(&xdp) as u32
            }
        };
    };
}

/// Emits `$vis fn $name(q: &$arg) -> u32`, which calls a *global* BPF
/// function of the same name running the safe `fn(&$arg) -> u32` `$body`:
/// C's `__noinline __u32 name(const struct arg *q)`, a non-static function,
/// which the verifier checks once, on its own, from its BTF prototype (a
/// pointer to `$arg`: memory of `size_of::<$arg>()` bytes, or NULL), instead
/// of once for every state in which a caller reaches it: a loop that would
/// be explored again for each path into it is explored once. It is a
/// function in `.text` (so `build.sh` keeps it global, and libbpf appends it
/// to every program that calls it), not inlined, with external linkage
/// (`no_mangle`), which is what gives its BTF FUNC `linkage=global`. `$arg`
/// is `Pod`: the verifier requires every byte the caller passes to be
/// initialised, so no padding. A global function takes no packet pointers:
/// the caller copies out what it needs.
#[macro_export]
#[allow_internal_unsafe]
macro_rules! global_fn {
    ($(#[$m:meta])* $vis:vis fn $name:ident(&$arg:ty) -> u32 = $body:path;) => {
        $(#[$m])*
        #[inline(always)]
        $vis fn $name(q: &$arg) -> u32 {
            // Nested, so no other code can name it (and call it with a
            // made-up pointer): only the wrapper's line below.
            #[unsafe(no_mangle)]
            #[unsafe(link_section = ".text")]
            #[inline(never)]
            extern "C" fn $name(q: *const $arg) -> u32 {
                const { $crate::assert_pod::<$arg>() };
                // SAFETY: q is NULL (the verifier, checking this function
                // alone, assumes any caller may pass it) or the wrapper's
                // reference, valid and unaliased by writes for the call;
                // the verifier holds every other caller (none exists) to
                // size_of::<$arg>() readable bytes too.
                match unsafe { q.as_ref() } {
                    Some(q) => $body(q),
                    None => 0,
                }
            }
            $name(q)
        }
    };
}

/// Emits the license string the kernel checks for GPL-only helpers.
#[macro_export]
#[allow_internal_unsafe]
macro_rules! license {
    ($lic:literal) => {
        #[unsafe(no_mangle)]
        #[unsafe(link_section = "license")]
        #[allow(non_upper_case_globals)]
        pub static _license: [u8; $lic.len() + 1] = {
            let mut b = [0u8; $lic.len() + 1];
            let s = $lic.as_bytes();
            let mut i = 0;
            while i < s.len() {
                b[i] = s[i];
                i += 1;
            }
            b
        };
    };
}

/// A position in the frame. Opaque: it starts at `data` and only moves
/// forward, by whole 16-bit words (every header length is even, which keeps
/// every `Be16` at an even address), and it is only ever dereferenced by
/// `Xdp` after a bounds check against `data_end`.
///
/// It never wraps below `data`: a frame lives in the kernel's direct map,
/// more than 2^40 bytes below the top of the address space on every 64-bit
/// kernel, and a cursor moves at most 64 KiB a step while the verifier caps
/// a run at 1M instructions (< 2^36 bytes in all).
#[derive(Clone, Copy)]
pub struct Cursor {
    pos: *const u8,
}

impl Cursor {
    /// Moves past `len` bytes (rounded down to even) without a bounds
    /// check: the next read checks. This is `nh->pos += len` in C.
    #[inline(always)]
    pub fn skip(self, len: u16) -> Cursor {
        Cursor { pos: self.pos.wrapping_add((len & !1) as usize) }
    }

    /// Moves past a header of type `H`.
    #[inline(always)]
    pub fn after<H: Header>(self) -> Cursor {
        const { assert!(size_of::<H>() <= u16::MAX as usize) };
        self.skip(size_of::<H>() as u16)
    }

    /// Bytes from `earlier` to here (`nh.pos - l3` in C), or a negative
    /// number if `earlier` is in fact later.
    #[inline(always)]
    pub fn since(self, earlier: Cursor) -> i64 {
        (self.pos as i64).wrapping_sub(earlier.pos as i64)
    }
}

/// The frame of one XDP invocation: headers are read from its first buffer,
/// `[data, data_end)`. A multi-buffer frame has more buffers after it; `len`
/// is the bytes counted: the first buffer's until fits_frame() or
/// count_all() needs them all (parsing.h's `struct xf_frame`).
pub struct Xdp {
    data: *const u8,
    data_end: *const u8,
    ctx: *mut xdp_md,
    len: Cell<u64>,
}

impl Xdp {
    /// # Safety
    /// `ctx` must be the context the kernel passed to the program.
    #[inline(always)]
    pub unsafe fn from_ctx(ctx: *mut xdp_md) -> Xdp {
        // SAFETY: the caller passes the kernel's ctx; these are the 32-bit
        // loads the verifier turns into packet pointers. Widening via usize
        // is the C idiom (void *)(long)ctx->data.
        let (data, data_end) = unsafe { ((*ctx).data, (*ctx).data_end) };
        Xdp {
            data: data as usize as *const u8,
            data_end: data_end as usize as *const u8,
            ctx,
            len: Cell::new((data_end as u64).wrapping_sub(data as u64)),
        }
    }

    /// Bytes the frame counts, L2 included: the first buffer's, or all of
    /// them once fits_frame() or count_all() looked past it.
    #[inline(always)]
    pub fn len(&self) -> u64 {
        self.len.get()
    }

    /// Counts every buffer of the frame from now on (`bpf_xdp_get_buff_len`).
    #[inline(always)]
    pub fn count_all(&self) -> u64 {
        // SAFETY: ctx is the kernel's context, valid for this call; the
        // helper only reads the frame's buffer lengths.
        let all = unsafe { helper::xdp_get_buff_len()(self.ctx.cast()) };
        self.len.set(all);
        all
    }

    /// True if `len` bytes from `at` lie in the frame: in its first buffer
    /// (fits()), or else in all its buffers, which count from then on. A
    /// frame in one buffer never pays for the helper call.
    #[inline(always)]
    pub fn fits_frame(&self, at: Cursor, len: u32) -> bool {
        if self.fits(at, len) {
            return true;
        }
        let all = self.count_all();
        (at.since(self.start()) as u64).wrapping_add(len as u64) <= all
    }

    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Interface the frame arrived on.
    #[inline(always)]
    pub fn ingress_ifindex(&self) -> u32 {
        // SAFETY: ctx is the kernel's context, valid for this call.
        unsafe { (*self.ctx).ingress_ifindex }
    }

    /// Start of the frame (the Ethernet header).
    #[inline(always)]
    pub fn start(&self) -> Cursor {
        Cursor { pos: self.data }
    }

    /// `at + len` if it stays inside the frame (the end may equal
    /// data_end), else `None`: `if (pos + len > data_end) return -1;`
    /// followed by `pos += len`. `len` is rounded down to even, like skip().
    #[inline(always)]
    pub fn advance(&self, at: Cursor, len: u16) -> Option<Cursor> {
        let next = at.skip(len);
        if next.pos > self.data_end {
            return None;
        }
        Some(next)
    }

    /// True if `len` bytes from `at` stay inside the frame: the check of
    /// advance() for any length (odd, or up to 4 GiB), without moving.
    #[inline(always)]
    pub fn fits(&self, at: Cursor, len: u32) -> bool {
        at.pos.wrapping_add(len as usize) <= self.data_end
    }

    /// A copy of the header of type `H` at `at`, or `None` if the frame
    /// ends before the header does.
    #[inline(always)]
    pub fn header<H: Header>(&self, at: Cursor) -> Option<H> {
        if at.pos.wrapping_add(size_of::<H>()) > self.data_end {
            return None;
        }
        // SAFETY: the H bytes at `at` lie inside [data, data_end) (checked
        // just above; `at` >= data, see Cursor), which the kernel
        // keeps readable for the whole call. `at` is even relative to data
        // (Cursor moves by even amounts), data is at least 2-aligned (the
        // kernel puts it NET_IP_ALIGN past an aligned headroom, which the
        // verifier's strict-alignment mode itself assumes), and every
        // Header has alignment <= 2, so the read is aligned. H is Pod, so
        // any bytes are a valid H. The copy means no reference to packet
        // memory outlives the check.
        Some(unsafe { at.pos.cast::<H>().read() })
    }

    /// The 8 bytes at `at` as one native-order (on bpfel: little-endian)
    /// u64, or `None` if the frame ends before them: C's `*(__u64 *)p`, one
    /// 64-bit load, for code that tests several fields of a header with one
    /// mask (parsing.h's IPv4 fast path).
    #[inline(always)]
    pub fn word64(&self, at: Cursor) -> Option<u64> {
        if at.pos.wrapping_add(size_of::<u64>()) > self.data_end {
            return None;
        }
        let w: u64;
        // SAFETY: the 8 bytes at `at` lie inside [data, data_end) (checked
        // just above, as in header()), which the kernel keeps readable for
        // the whole call. The asm is one BPF_DW load and touches nothing
        // else (no stack, no other register). A Cursor is only 2-aligned,
        // so the load may be misaligned: the BPF instruction allows that,
        // and the verifier accepts it for packet memory where the kernel
        // has efficient unaligned access (x86, arm64; elsewhere it checks
        // alignment as if data were 2 past an 8-byte boundary, and then
        // the IPv4 header at offset 14 is 8-aligned). Rust's read_unaligned
        // would not do: LLVM's BPF backend splits it into eight byte
        // loads, and its allows-misaligned-mem-access feature, which
        // would not, also merges stack stores into misaligned ones that
        // the verifier rejects ("misaligned stack access").
        unsafe {
            core::arch::asm!(
                "{w} = *(u64 *)({p} + 0)",
                w = lateout(reg) w,
                p = in(reg) at.pos,
                options(readonly, nostack, preserves_flags),
            );
        }
        Some(w)
    }

    #[inline(always)]
    pub fn eth_header(&self, at: Cursor) -> Option<ethhdr> {
        self.header(at)
    }
    #[inline(always)]
    pub fn vlan_header(&self, at: Cursor) -> Option<vlan_hdr> {
        self.header(at)
    }
    #[inline(always)]
    pub fn ip_header(&self, at: Cursor) -> Option<iphdr> {
        self.header(at)
    }
    #[inline(always)]
    pub fn ipv6_header(&self, at: Cursor) -> Option<ipv6hdr> {
        self.header(at)
    }
    #[inline(always)]
    pub fn ipv6_opt_header(&self, at: Cursor) -> Option<ipv6_opt_hdr> {
        self.header(at)
    }
    #[inline(always)]
    pub fn frag_header(&self, at: Cursor) -> Option<frag_hdr> {
        self.header(at)
    }
    #[inline(always)]
    pub fn tcp_header(&self, at: Cursor) -> Option<tcphdr> {
        self.header(at)
    }
    #[inline(always)]
    pub fn udp_header(&self, at: Cursor) -> Option<udphdr> {
        self.header(at)
    }
    #[inline(always)]
    pub fn ipv4_addrs(&self, at: Cursor) -> Option<iphdr_addrs> {
        self.header(at)
    }
    #[inline(always)]
    pub fn ipv6_addrs(&self, at: Cursor) -> Option<ipv6hdr_addrs> {
        self.header(at)
    }
}
