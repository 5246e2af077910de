"""Check that the built API reference renders the seed page's signatures exactly.

The seed is the original OpenRec 0.1 extractions API page; every class and method
signature on it must appear, in the same order, on our rendered extractions page.
Usage (after the docs build): ``python tools/check_doc_signatures.py docs/_build/html``.
"""
import html
import os
import re
import sys

SEED_EXTRACTIONS = [
    "class openrec.modules.extractions.Extraction(train=True, l2_reg=None, scope=None, reuse=False)",
    "class openrec.modules.extractions.LookUp(embed, ids=None, scope=None, reuse=False)",
    "_build_shared_graph()",
    "class openrec.modules.extractions.IdentityMapping(value, scope=None, reuse=False)",
    "_build_shared_graph()",
    "class openrec.modules.extractions.LatentFactor(shape, init='normal', ids=None, l2_reg=None, "
    "scope=None, reuse=False)",
    "_build_shared_graph()",
    "censor_l2_norm_op(censor_id_list=None, max_norm=1)",
    "class openrec.modules.extractions.MultiLayerFC(in_tensor, dims, relu_in=False, relu_mid=True, "
    "relu_out=False, dropout_in=None, dropout_mid=None, dropout_out=None, bias_in=True, "
    "bias_mid=True, bias_out=True, batch_norm=False, train=True, l2_reg=None, scope=None, "
    "reuse=False)",
    "_build_shared_graph()",
    "class openrec.modules.extractions.SDAE(in_tensor, dims, dropout=None, l2_reconst=1.0, "
    "train=True, l2_reg=None, scope=None, reuse=False)",
    "_build_shared_graph()",
    "class openrec.modules.extractions.TemporalLatentFactor(shape, mlp_dims, ids, init='normal', "
    "mlp_pretrain=True, l2_reg=None, train=True, scope=None, reuse=False)",
    "_build_shared_graph()",
    "_build_training_graph()",
    "forward_update_embeddings(sess)",
    "pretrain_mlp_as_identity(sess)",
]


def rendered_signatures(page):
    """The text of every Python object signature on a built Sphinx HTML page."""
    with open(page, encoding='utf-8') as handle:
        text = handle.read()
    found = []
    for match in re.finditer(r'<dt class="sig sig-object py"[^>]*>(.*?)</dt>', text, re.S):
        sig = html.unescape(re.sub(r'<[^>]+>', '', match.group(1))).replace('\n', '')
        found.append(re.sub(r'\[source\].*$', '', sig).strip())
    return found


def main(build_dir):
    found = rendered_signatures(os.path.join(build_dir, 'modules', 'openrec.modules.extractions.html'))
    if found != SEED_EXTRACTIONS:
        for want, got in zip(SEED_EXTRACTIONS + [''] * len(found), found + [''] * len(SEED_EXTRACTIONS)):
            if want != got:
                print('expected: %s\nrendered: %s' % (want, got))
        sys.exit('the extractions page does not render the seed signatures')
    print('extractions page: all %d seed signatures rendered exactly' % len(found))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'docs/_build/html')
