;; The inner loops of log forwarding (src/logs/line_kernel.ts loads it): finding the newlines
;; of a chunk, and writing its lines each behind a prefix. In JavaScript each line cost several
;; native calls (indexOf, copyWithin, set) of about 60 ns each; here a chunk costs two calls.
;;
;; Assembled with `wat2wasm src/logs/line_kernel.wat -o src/logs/line_kernel.wasm` (Debian's
;; wabt); tests/logs/line_kernel_test.ts checks the committed .wasm is exactly that.
;;
;; Memory is laid out by the caller. Both functions read and write in blocks of 16 bytes, so
;; they may read up to 15 bytes past the end of their input and write up to 15 bytes past the
;; end of their output: the caller leaves that much room after every region.
(module
  (memory (export "memory") 16)

  ;; scan(src, len, ends, cap) -> count
  ;; Stores the offset from src of every newline in [src, src + len), in order, as i32 at
  ;; ends, ends + 4, ...; returns how many, or -1 when there are more than cap (nothing is
  ;; then stored beyond cap).
  (func (export "scan") (param $src i32) (param $len i32) (param $ends i32) (param $cap i32)
    (result i32)
    (local $i i32) (local $mask i32) (local $n i32) (local $rem i32) (local $lf v128)
    (local.set $lf (i8x16.splat (i32.const 10)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        ;; One bit per byte of the block that is a newline.
        (local.set $mask
          (i8x16.bitmask
            (i8x16.eq (v128.load (i32.add (local.get $src) (local.get $i))) (local.get $lf))))
        ;; The last block: only the bytes before len count.
        (local.set $rem (i32.sub (local.get $len) (local.get $i)))
        (if (i32.lt_u (local.get $rem) (i32.const 16))
          (then
            (local.set $mask
              (i32.and (local.get $mask)
                (i32.sub (i32.shl (i32.const 1) (local.get $rem)) (i32.const 1))))))
        (block $bits
          (loop $each
            (br_if $bits (i32.eqz (local.get $mask)))
            (if (i32.ge_u (local.get $n) (local.get $cap)) (then (return (i32.const -1))))
            (i32.store
              (i32.add (local.get $ends) (i32.shl (local.get $n) (i32.const 2)))
              (i32.add (local.get $i) (i32.ctz (local.get $mask))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            ;; Clear the lowest bit set.
            (local.set $mask
              (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
            (br $each)))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    (local.get $n))

  ;; copy(dst, src, n): copies n bytes in blocks of 16, writing up to 15 bytes past dst + n.
  ;; A copy that follows at dst + n writes its first block over them, so a run of copies leaves
  ;; scratch bytes only after its end. The regions must not overlap.
  (func $copy (param $dst i32) (param $src i32) (param $n i32)
    (local $i i32)
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (v128.store
          (i32.add (local.get $dst) (local.get $i))
          (v128.load (i32.add (local.get $src) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks))))

  ;; format(src, start, ends, count, prefix, plen, dst) -> length
  ;; Writes count lines to dst, each as the plen bytes at prefix followed by the line and its
  ;; newline. The first line starts at src + start; line i ends with the newline at
  ;; src + ends[i] (ends as stored by scan). Returns the bytes written.
  (func (export "format")
    (param $src i32) (param $start i32) (param $ends i32) (param $count i32)
    (param $prefix i32) (param $plen i32) (param $dst i32) (result i32)
    (local $i i32) (local $s i32) (local $e i32) (local $o i32) (local $n i32)
    (local.set $s (local.get $start))
    (local.set $o (local.get $dst))
    (block $done
      (loop $lines
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        ;; The line is [s, e), its newline included.
        (local.set $e
          (i32.add
            (i32.load (i32.add (local.get $ends) (i32.shl (local.get $i) (i32.const 2))))
            (i32.const 1)))
        (call $copy (local.get $o) (local.get $prefix) (local.get $plen))
        (local.set $o (i32.add (local.get $o) (local.get $plen)))
        (local.set $n (i32.sub (local.get $e) (local.get $s)))
        (call $copy (local.get $o) (i32.add (local.get $src) (local.get $s)) (local.get $n))
        (local.set $o (i32.add (local.get $o) (local.get $n)))
        (local.set $s (local.get $e))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $lines)))
    (i32.sub (local.get $o) (local.get $dst))))
