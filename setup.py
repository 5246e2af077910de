"""openrec: OpenRec 0.1 on TensorFlow 2.x (tensorflow.compat.v1, graph mode)."""
from setuptools import find_packages, setup

setup(
    name='openrec',
    version='0.1.1',
    description='OpenRec 0.1 modular recommenders on TensorFlow 2.x (tf.compat.v1 graph mode)',
    long_description=open('README.rst').read(),
    long_description_content_type='text/x-rst',
    packages=find_packages(include=['openrec', 'openrec.*']),
    package_data={'openrec.data': ['*.npz']},
    include_package_data=True,
    python_requires='>=3.9',
    install_requires=['tensorflow>=2.16', 'numpy', 'tqdm', 'termcolor>=2.3'],
    extras_require={
        'test': ['pytest', 'pytest-xdist'],
        'docs': ['sphinx', 'sphinx-rtd-theme'],
    },
    license='Apache-2.0',
)
