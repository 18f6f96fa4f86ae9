#!/usr/bin/perl
# cg_diff.pl N BASE.out RUN.out [TOP]: the self instructions per request of
# every function, (RUN - BASE) / N, read from two callgrind profiles of the
# same nginx binary (RUN served N more requests than BASE); prints the TOP
# largest (default 25), then the total.  Used by bench/run.sh.
use strict;
use warnings;

my ($n, $base, $run, $top) = @ARGV;
$top //= 25;

# self cost (the first event, Ir) per "function [object]"
sub self_cost {
    my ($file) = @_;
    my (%c, %fn, %ob, $cur, $obj, $skip);
    open my $fh, '<', $file or die "$file: $!";
    $obj = '';
    while (<$fh>) {
        if (/^ob=\((\d+)\)(?: (.*))?$/) {
            $ob{$1} = $2 if defined $2;
            ($obj = $ob{$1}) =~ s/.*\///;
        } elsif (/^fn=\((\d+)\)(?: (.*))?$/) {
            $fn{$1} = $2 if defined $2;
            $cur = "$fn{$1} [$obj]";
        } elsif (/^c(?:fn|fi|fl|ob)=\((\d+)\)(?: (.*))?$/) {
            # a callee's name: defined here, used later by fn= as well
            my $kind = substr($_, 1, 2);
            $fn{$1} = $2 if $kind eq 'fn' && defined $2;
            $ob{$1} = $2 if $kind eq 'ob' && defined $2;
        } elsif (/^calls=/) {
            $skip = 1;
        } elsif (/^[+\-*\d]/) {
            if ($skip) {
                $skip = 0;
                next;
            }
            my @f = split;
            $c{$cur} += $f[1] // 0 if defined $cur;
        }
    }
    close $fh;
    return \%c;
}

my $bc = self_cost($base);
my $rc = self_cost($run);
my (%d, $total);
$total = 0;
for my $fn (keys %$rc, keys %$bc) {
    next if exists $d{$fn};
    $d{$fn} = (($rc->{$fn} // 0) - ($bc->{$fn} // 0)) / $n;
    $total += $d{$fn};
}
my @f = sort { $d{$b} <=> $d{$a} } grep { abs($d{$_}) >= 0.5 } keys %d;
splice @f, $top if @f > $top;
printf "%8.0f  %s\n", $d{$_}, $_ for @f;
printf "%8.0f  total per request\n", $total;
